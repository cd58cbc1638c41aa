/**
 * `npm run bench`: the compatible tinyauth server and every app variant on both adapters, each in its own process,
 * driven in turn by autocannon from this process over several interleaved rounds. Prints req/s (median and
 * min-max), latency, the ratio to the bare route of the same adapter, the app's CPU per request and peak RSS, and
 * remote's cost against a raw undici round trip.
 *
 * Scenarios (BENCH_SCENARIOS, a comma list; default all):
 * - `micro`: bench/micro.ts, in-process costs (a cached hit, a local decision, an insert into a full cache, churn);
 * - `variants`: one user, one route, every variant;
 * - `resources`: one user, BENCH_RESOURCES (1,000) distinct ARNs (`/bench/:name` cycling through the names), cached
 *   and local; its warm-up is one pass over the names, so the cache holds them all when measuring starts;
 * - `churn`: BENCH_CHURN_USERS (20,000) distinct credentials cycling through a cache of BENCH_CHURN_CACHE (10,000)
 *   entries, so every request misses and inserts into a full cache (cached mode); reports RSS growth too;
 * - `replicas`: bench/replicas.ts (three replicas, per-process and shared cache, on Debian's redis-server).
 * The first three share one set of interleaved rounds and one set of app processes (the churn app has its own).
 * `resources` and `churn` build every request on the client (autocannon's setupRequest) and are compared with a
 * bare route driven the same way (`bare-gen`), so the client's extra work is in both sides of the ratio.
 *
 * Knobs: BENCH_CONNECTIONS (50), BENCH_DURATION (5 s; 3 s for generated requests: BENCH_GEN_DURATION), BENCH_WARMUP
 * (1 s), BENCH_ROUNDS (3), BENCH_ADAPTERS / BENCH_VARIANTS (comma lists), BENCH_TINYAUTH_URL (use a running
 * tinyauth with the demo fixture instead of starting the compatible server; the churn scenario then needs its
 * users, see bench/fixture.ts), BENCH_CPU_PROF=<dir> (a V8 CPU profile of every measured run, see
 * bench/profile-summary.ts), BENCH_REPLICA_KEYS, BENCH_STORE_TIMEOUT_MS (the shared store's timeout).
 */
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { startChild, type Child } from './child';
import { churnKey, CHURN_USERS } from './fixture';
import { runMicroScenario } from './micro';
import { runReplicasScenario } from './replicas';
import { printReport, type Sample, type Scenario } from './report';
import { ADAPTERS, BENCH_USER_KEY, VARIANTS, type AdapterName, type Variant } from './variants';

const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const list = <T extends string>(name: string, all: readonly T[]): T[] => {
  const raw = process.env[name];
  return raw ? (raw.split(',').filter((v) => (all as readonly string[]).includes(v)) as T[]) : [...all];
};

const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const DURATION = num('BENCH_DURATION', 5);
const GEN_DURATION = num('BENCH_GEN_DURATION', 3);
const WARMUP = num('BENCH_WARMUP', 1);
const ROUNDS = num('BENCH_ROUNDS', 3);
const RESOURCES = num('BENCH_RESOURCES', 1000);
const CHURN_CACHE = num('BENCH_CHURN_CACHE', 10_000);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** How often the app's RSS is sampled during a run, for its peak. */
const RSS_SAMPLE_MS = 250;

const SCENARIOS = ['micro', 'variants', 'resources', 'churn', 'replicas'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const USER_AUTHORIZATION = basic(BENCH_USER_KEY.id, BENCH_USER_KEY.secret);

/** What autocannon sends: one fixed request, or one built per request. */
type Load = { path: string } | { next: () => { path: string; authorization: string } };

/** One measured thing: an app process and the load it gets. */
interface Case {
  scenario: Scenario;
  adapter: AdapterName;
  variant: Variant | 'bare-gen';
  app: Child;
  load: Load;
  /** RSS of the app before the scenario first loaded it (the churn cache empty), in MiB. */
  rssBaselineMb?: number;
}

async function drive(app: Child, load: Load, duration: number): Promise<autocannon.Result> {
  const url = `http://127.0.0.1:${app.ready}`;
  const headers = { authorization: USER_AUTHORIZATION, accept: 'application/json' };
  if ('path' in load)
    return autocannon({ url: url + load.path, connections: CONNECTIONS, duration, headers });
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        setupRequest: (request) => {
          const { path, authorization } = load.next();
          return { ...request, path, headers: { ...headers, authorization } };
        },
      },
    ],
  });
}

/** Drives `load` once through `amount` requests (to fill a cache before measuring). */
async function fill(app: Child, load: Load, amount: number): Promise<void> {
  if ('path' in load) return;
  await autocannon({
    url: `http://127.0.0.1:${app.ready}`,
    connections: CONNECTIONS,
    amount,
    requests: [
      {
        setupRequest: (request) => {
          const { path, authorization } = load.next();
          return { ...request, path, headers: { accept: 'application/json', authorization } };
        },
      },
    ],
  });
}

/** Runs one case: warm-up, then the measured run with the app's CPU time, peak RSS and (optionally) a profile. */
async function measure(c: Case, round: number): Promise<Sample> {
  const generated = !('path' in c.load);
  // Many resources: every name in the cache before measuring (rounds apart, the entries have expired).
  if (c.scenario === 'resources') await fill(c.app, c.load, RESOURCES);
  else await drive(c.app, c.load, WARMUP);
  const name = `${c.scenario}-${c.adapter}-${c.variant}-${round + 1}`;
  const profileFile = `${PROFILE_DIR}/${name}.cpuprofile`;
  const profiling = PROFILE_DIR ? await c.app.profile!(profileFile) : undefined;
  const before = await c.app.usage!();
  let peakRss = before.rssBytes;
  const sampler = setInterval(() => {
    c.app.usage!().then(
      (u) => (peakRss = Math.max(peakRss, u.rssBytes)),
      () => undefined,
    );
  }, RSS_SAMPLE_MS);
  let result: autocannon.Result;
  try {
    result = await drive(c.app, c.load, generated ? GEN_DURATION : DURATION);
  } finally {
    clearInterval(sampler);
  }
  const after = await c.app.usage!();
  peakRss = Math.max(peakRss, after.rssBytes);
  if (profiling) {
    await profiling.stop();
    writeFileSync(`${profileFile}.json`, JSON.stringify({ requests: result.requests.total }));
  }
  return {
    scenario: c.scenario,
    adapter: c.adapter,
    variant: c.variant,
    round,
    result,
    cpuPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests.total),
    peakRssMb: peakRss / 2 ** 20,
    rssStartMb: c.rssBaselineMb ?? before.rssBytes / 2 ** 20,
  };
}

/** `/bench/<name>` over RESOURCES names, in turn, for the one bench user. */
function resourcesLoad(): Load {
  let i = 0;
  return {
    next: () => ({ path: `/bench/apple-${i++ % RESOURCES}`, authorization: USER_AUTHORIZATION }),
  };
}

/** `/bench` with CHURN_USERS users' credentials, in turn. */
function churnLoad(): Load {
  let i = 0;
  const authorizations = Array.from({ length: CHURN_USERS }, (_, n) => {
    const key = churnKey(n);
    return basic(key.id, key.secret);
  });
  return { next: () => ({ path: '/bench', authorization: authorizations[i++ % CHURN_USERS] }) };
}

async function main(): Promise<void> {
  const adapters = list('BENCH_ADAPTERS', ADAPTERS);
  const variants = list('BENCH_VARIANTS', VARIANTS);
  const scenarios = list('BENCH_SCENARIOS', SCENARIOS);
  const children: Child[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(children.map((c) => c.stop()));
  };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const external = process.env.BENCH_TINYAUTH_URL;
    const tinyauth: Child = external
      ? { name: 'tinyauth', ready: external, stop: () => Promise.resolve() }
      : await startChild('tinyauth', ['bench/tinyauth-server.ts']);
    children.push(tinyauth);
    if (scenarios.includes('micro')) await runMicroScenario(tinyauth.ready);
    const settings = { connections: CONNECTIONS, duration: DURATION, warmup: WARMUP, rounds: ROUNDS };
    const cases = await startCases(scenarios, adapters, variants, tinyauth.ready, children);
    if (cases.length > 0) {
      // The churn cache starts full (CHURN_CACHE distinct credentials), so each measured request evicts.
      for (const c of cases.filter((c) => c.scenario === 'churn' && c.variant !== 'bare-gen')) {
        c.rssBaselineMb = (await c.app.usage!()).rssBytes / 2 ** 20;
        await fill(c.app, c.load, CHURN_CACHE);
      }
      const samples: Sample[] = [];
      const loadStarted = Date.now();
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order each round so drift of a noisy machine does not always hit the same case.
        const rotated = cases.slice(round % cases.length).concat(cases.slice(0, round % cases.length));
        for (const c of rotated) {
          const sample = await measure(c, round);
          samples.push(sample);
          const { result } = sample;
          process.stderr.write(
            `round ${round + 1}/${ROUNDS} ${c.scenario} ${c.adapter}/${c.variant}: ${Math.round(result.requests.average)} req/s` +
              `${result.non2xx || result.errors ? ` (non-2xx ${result.non2xx}, errors ${result.errors})` : ''}\n`,
          );
        }
      }
      printReport(samples, adapters, {
        connections: CONNECTIONS,
        duration: DURATION,
        genDuration: GEN_DURATION,
        rounds: ROUNDS,
        seconds: (Date.now() - loadStarted) / 1000,
        resources: RESOURCES,
        churnUsers: CHURN_USERS,
        churnCache: CHURN_CACHE,
      });
    }
    // Last: it sets BENCH_CACHE_TTL_MS for its own replicas, which must not reach the apps above.
    if (scenarios.includes('replicas')) await runReplicasScenario(tinyauth.ready, children, settings);
  } finally {
    await stopAll();
  }
}

/** Starts every app process the selected scenarios need (in parallel: their TypeScript compiles meanwhile). */
async function startCases(
  scenarios: ScenarioName[],
  adapters: AdapterName[],
  variants: Variant[],
  tinyauthUrl: string,
  children: Child[],
): Promise<Case[]> {
  const wanted = new Set<Variant>(scenarios.includes('variants') ? variants : []);
  const generated = scenarios.includes('resources') || scenarios.includes('churn');
  if (generated) wanted.add('bare');
  if (scenarios.includes('resources')) for (const v of ['cached', 'local'] as const) wanted.add(v);
  const apps = new Map<string, Child>();
  const start = async (key: string, args: string[], env?: Record<string, string>): Promise<void> => {
    const child = await startChild(key, ['bench/app.ts', ...args], { env });
    children.push(child);
    apps.set(key, child);
  };
  const started = await Promise.allSettled(
    adapters.flatMap((adapter) => [
      ...[...wanted].map((variant) => start(`${adapter}/${variant}`, [adapter, variant, tinyauthUrl])),
      ...(scenarios.includes('churn')
        ? [
            start(`${adapter}/churn`, [adapter, 'cached', tinyauthUrl], {
              BENCH_CACHE_MAX_ENTRIES: String(CHURN_CACHE),
            }),
          ]
        : []),
    ]),
  );
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const cases: Case[] = [];
  for (const adapter of adapters) {
    const app = (key: string): Child => apps.get(`${adapter}/${key}`) as Child;
    if (scenarios.includes('variants'))
      for (const variant of variants)
        cases.push({ scenario: 'variants', adapter, variant, app: app(variant), load: { path: '/bench' } });
    if (scenarios.includes('resources')) {
      cases.push({
        scenario: 'resources',
        adapter,
        variant: 'bare-gen',
        app: app('bare'),
        load: resourcesLoad(),
      });
      for (const variant of ['cached', 'local'] as const)
        cases.push({ scenario: 'resources', adapter, variant, app: app(variant), load: resourcesLoad() });
    }
    if (scenarios.includes('churn')) {
      cases.push({ scenario: 'churn', adapter, variant: 'bare-gen', app: app('bare'), load: churnLoad() });
      cases.push({ scenario: 'churn', adapter, variant: 'cached', app: app('churn'), load: churnLoad() });
    }
  }
  return cases;
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
