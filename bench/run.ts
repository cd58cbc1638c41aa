/**
 * `npm run bench`: the compatible tinyauth server and every app variant on both adapters, each in its own process,
 * driven in turn by autocannon from this process over several interleaved rounds. Prints req/s (median and
 * min-max), latency, the ratio to the bare route of the same adapter, and remote's cost against a raw undici round
 * trip. Knobs: BENCH_CONNECTIONS (50), BENCH_DURATION (5 s), BENCH_WARMUP (1 s), BENCH_ROUNDS (3),
 * BENCH_ADAPTERS / BENCH_VARIANTS (comma lists), BENCH_TINYAUTH_URL (use a running tinyauth with the demo fixture
 * instead of starting the compatible server), BENCH_SCENARIOS (`micro`, `variants`, `replicas`; default all: the
 * micro scenario is bench/micro.ts, in-process costs; the replicas scenario is bench/replicas.ts, on Debian's
 * redis-server), BENCH_REPLICA_KEYS, BENCH_STORE_TIMEOUT_MS (the shared
 * store's timeout; default the library's).
 */
import autocannon from 'autocannon';
import { startChild, type Child } from './child';
import { runMicroScenario } from './micro';
import { runReplicasScenario } from './replicas';
import { printReport, type Sample } from './report';
import { ADAPTERS, BENCH_USER_KEY, VARIANTS, type AdapterName, type Variant } from './variants';

const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const list = <T extends string>(name: string, all: T[]): T[] => {
  const raw = process.env[name];
  return raw ? (raw.split(',').filter((v) => (all as string[]).includes(v)) as T[]) : all;
};

const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const DURATION = num('BENCH_DURATION', 5);
const WARMUP = num('BENCH_WARMUP', 1);
const ROUNDS = num('BENCH_ROUNDS', 3);
const headers = {
  authorization: `Basic ${Buffer.from(`${BENCH_USER_KEY.id}:${BENCH_USER_KEY.secret}`).toString('base64')}`,
  accept: 'application/json',
};

async function drive(url: string, duration: number): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration, headers });
}

async function main(): Promise<void> {
  const adapters = list('BENCH_ADAPTERS', ADAPTERS);
  const variants = list('BENCH_VARIANTS', VARIANTS);
  const children: Child[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(children.map((c) => c.stop()));
  };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const external = process.env.BENCH_TINYAUTH_URL;
    const tinyauth = external
      ? { name: 'tinyauth', ready: external, stop: () => Promise.resolve(), cpuMicros: () => NaN }
      : await startChild('tinyauth', ['bench/tinyauth-server.ts']);
    children.push(tinyauth);
    const scenarios = list('BENCH_SCENARIOS', ['micro', 'variants', 'replicas']);
    if (scenarios.includes('micro')) await runMicroScenario(tinyauth.ready);
    const settings = { connections: CONNECTIONS, duration: DURATION, warmup: WARMUP, rounds: ROUNDS };
    if (scenarios.includes('replicas')) await runReplicasScenario(tinyauth.ready, children, settings);
    if (!scenarios.includes('variants')) return;
    const apps = new Map<string, Child>();
    // Started together (their TypeScript compiles in parallel); allSettled so none is left running on a failure.
    const started = await Promise.allSettled(
      adapters.flatMap((adapter) =>
        variants.map(async (variant) => {
          const child = await startChild(`${adapter}/${variant}`, [
            'bench/app.ts',
            adapter,
            variant,
            tinyauth.ready,
          ]);
          children.push(child);
          apps.set(`${adapter}/${variant}`, child);
        }),
      ),
    );
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const samples: Sample[] = [];
    const loadStarted = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so drift of a noisy machine does not always hit the same variant.
      const order = adapters.flatMap((a) => variants.map((v) => [a, v] as [AdapterName, Variant]));
      const rotated = order.slice(round % order.length).concat(order.slice(0, round % order.length));
      for (const [adapter, variant] of rotated) {
        const app = apps.get(`${adapter}/${variant}`) as Child;
        const url = `http://127.0.0.1:${app.ready}/bench`;
        await drive(url, WARMUP);
        const cpuBefore = app.cpuMicros();
        const result = await drive(url, DURATION);
        const cpuPerRequest = (app.cpuMicros() - cpuBefore) / Math.max(1, result.requests.total);
        samples.push({ adapter, variant, round, result, cpuPerRequest });
        process.stderr.write(
          `round ${round + 1}/${ROUNDS} ${adapter}/${variant}: ${Math.round(result.requests.average)} req/s` +
            `${result.non2xx || result.errors ? ` (non-2xx ${result.non2xx}, errors ${result.errors})` : ''}\n`,
        );
      }
    }
    printReport(samples, adapters, variants, {
      connections: CONNECTIONS,
      duration: DURATION,
      rounds: ROUNDS,
      seconds: (Date.now() - loadStarted) / 1000,
    });
  } finally {
    await stopAll();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
