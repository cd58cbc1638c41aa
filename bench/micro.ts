/**
 * The `micro` scenario of `npm run bench` (alone: `BENCH_SCENARIOS=micro npm run bench`, or
 * `node -r ts-node/register/transpile-only bench/micro.ts [tinyauth-url]`): the in-process cost of the decision hot
 * paths, measured with tinybench against the compatible tinyauth server (started in-process when no URL is given).
 * Prints median and min-max per operation, in ns, and RSS growth under churn, each against its target (issue 10).
 *
 * - cached hit: `CachedAuthorizer.authorize` for a request whose decision is cached (the decision key is computed
 *   from the request facts on every call, as when the guard calls it);
 * - local decision: `LocalAuthorizer.authorize` with its signing key, verified credentials and policy in memory
 *   (a SHA-256 of the credentials and the policy evaluation);
 * - insert, full cache: a new decision into the decision cache's store holding 10,000 entries (each insert evicts);
 * - churn: 20,000 distinct credentials cycling through a 10,000-entry `CachedAuthorizer`, tinyauth's answers given
 *   in-process (an allow for each, shaped as the remote strategy returns it) so that only the cache is measured;
 *   RSS growth from before the first request to its peak, and the heap the full cache holds.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { Bench, type Task } from 'tinybench';
import type { Authorizer } from '../src/authorizer/authorizer.interface';
import { CachedAuthorizer } from '../src/authorizer/cached.authorizer';
import { LocalAuthorizer } from '../src/authorizer/local/local.authorizer';
import { RemoteAuthorizer } from '../src/authorizer/remote.authorizer';
import { ExpiringLru } from '../src/cache/expiring-lru';
import { TinyauthClient } from '../src/client/tinyauth-client';
import { groupChecks, type TinyauthCheck, type TinyauthDecision } from '../src/decision';
import { resolveTinyauthOptions } from '../src/options/resolve-options';
import type { RequestFacts } from '../src/request/request-facts';
import { demoFixture, startTinyauthServer } from '../src/testing';
import { BENCH_SERVICE_KEY, BENCH_USER_KEY } from './variants';

/** Operations per sample: one timer read per operation would cost about as much as the operation. */
const BATCH = 1000;
const CACHE_ENTRIES = 10_000;
const CHURN_CREDENTIALS = 20_000;
const CHURN_ROUNDS = 10;
const MEASURE_MS = Number(process.env.BENCH_MICRO_MS) > 0 ? Number(process.env.BENCH_MICRO_MS) : 2000;

const CHECKS: readonly TinyauthCheck[] = [
  { action: 'ListApples', resource: 'arn:tinyauth:apples:default::apples' },
];
const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
/** Facts as an Express or Fastify request gives them, with the usual headers of an API client. */
const factsOf = (authorization: string): RequestFacts => ({
  method: 'GET',
  url: '/bench',
  headers: [
    ['host', '127.0.0.1:3000'],
    ['user-agent', 'bench'],
    ['accept', 'application/json'],
    ['authorization', authorization],
  ],
  sourceIp: '127.0.0.1',
  params: {},
});

/** One row of the report: per-operation nanoseconds (or MB for churn) and the target it is held to. */
interface Row {
  name: string;
  median: number;
  min: number;
  max: number;
  unit: 'ns' | 'MB';
  target: number;
}

function rowOf(task: Task, target: number): Row {
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
  const perOp = (ms: number): number => (ms * 1e6) / BATCH;
  const { p50, min, max } = result.latency;
  return { name: task.name, median: perOp(p50), min: perOp(min), max: perOp(max), unit: 'ns', target };
}

async function measureDecisions(tinyauthUrl: string): Promise<Row[]> {
  const options = resolveTinyauthOptions({
    endpoint: tinyauthUrl,
    accessKeyId: BENCH_SERVICE_KEY.id,
    secretAccessKey: BENCH_SERVICE_KEY.secret,
    service: 'apples',
  });
  const client = new TinyauthClient(new HttpService(axios.create()), options);
  try {
    const remote = new RemoteAuthorizer(client);
    const cached = new CachedAuthorizer(remote, { cacheTtlMs: 3_600_000, cacheMaxEntries: CACHE_ENTRIES });
    const local = new LocalAuthorizer(client, remote, {
      service: 'apples',
      cacheMaxEntries: CACHE_ENTRIES,
      maxStaleMs: options.maxStaleMs,
      negativeCacheTtlMs: options.negativeCacheTtlMs,
    });
    const facts = factsOf(basic(BENCH_USER_KEY.id, BENCH_USER_KEY.secret));
    for (const authorizer of [cached, local]) {
      const first = await authorizer.authorize(facts, CHECKS);
      if (first.authorized !== true)
        throw new Error(`the bench user is not allowed: ${JSON.stringify(first)}`);
    }
    const full = fullDecisionCache();
    const bench = new Bench({ time: MEASURE_MS, warmupTime: 300 });
    bench
      .add('cached hit', async () => {
        for (let i = 0; i < BATCH; i++) await cached.authorize(facts, CHECKS);
      })
      .add('local decision', async () => {
        for (let i = 0; i < BATCH; i++) await local.authorize(facts, CHECKS);
      })
      .add('insert, full 10k cache', () => {
        for (let i = 0; i < BATCH; i++) full.insert();
      });
    await bench.run();
    const sources = [await cached.authorize(facts, CHECKS), await local.authorize(facts, CHECKS)];
    if (sources[0].source !== 'cache' || sources[1].source !== 'local')
      throw new Error(`decisions did not come from the warm caches: ${sources.map((d) => d.source).join()}`);
    const [hit, decision, insert] = bench.tasks;
    return [rowOf(hit, 1000), rowOf(decision, 3000), rowOf(insert, 1000)];
  } finally {
    await client.onModuleDestroy();
  }
}

/** The cached mode's decision store, full, and an insert of a key it does not hold (so each insert evicts). */
function fullDecisionCache(): { insert(): void } {
  const store = new ExpiringLru<string, { decision: TinyauthDecision; at: number }>(CACHE_ENTRIES);
  // Keys shaped like the decision keys (base64 SHA-256); twice the bound, cycled, so none is held when set again.
  const keys = Array.from({ length: 2 * CACHE_ENTRIES }, (_, i) =>
    Buffer.from(`decision-key-${i}`.padEnd(32, '.')).toString('base64'),
  );
  const entry = { decision: allow(CHECKS), at: Date.now() };
  let next = 0;
  const insert = (): void => {
    store.set(keys[next], entry, 60_000);
    next = next + 1 === keys.length ? 0 : next + 1;
  };
  for (let i = 0; i < CACHE_ENTRIES; i++) insert();
  return { insert };
}

function allow(checks: readonly TinyauthCheck[]): TinyauthDecision {
  return { authorized: true, identity: 'reader', permitted: groupChecks(checks), notPermitted: {} };
}

/**
 * Churn: RSS growth, in MB, from before the first request to the highest seen while the credentials cycle through the
 * cache (what the target bounds), and the heap the full cache holds once garbage is collected (what it retains, as
 * opposed to the garbage of evicted entries awaiting collection).
 */
async function measureChurn(): Promise<Row[]> {
  const credentials = Array.from({ length: CHURN_CREDENTIALS }, (_, i) =>
    factsOf(basic(`AKCHURN${i}`, `secret-${i}`)),
  );
  let cached: CachedAuthorizer | undefined = new CachedAuthorizer(tinyauthInProcess, {
    cacheTtlMs: 3_600_000,
    cacheMaxEntries: CACHE_ENTRIES,
  });
  collectGarbage();
  const before = process.memoryUsage.rss();
  let peak = before;
  for (let round = 0; round < CHURN_ROUNDS; round++) {
    for (let i = 0; i < credentials.length; i++) {
      await cached.authorize(credentials[i], CHECKS);
      if (i % 1000 === 0) peak = Math.max(peak, process.memoryUsage.rss());
    }
  }
  if (cached.stats().remoteCalls !== CHURN_ROUNDS * CHURN_CREDENTIALS)
    throw new Error('churn: some requests were answered from the cache, so it did not churn');
  peak = Math.max(peak, process.memoryUsage.rss());
  collectGarbage();
  const withCache = process.memoryUsage().heapUsed;
  cached = undefined;
  collectGarbage();
  const held = withCache - process.memoryUsage().heapUsed;
  const mb = (name: string, bytes: number): Row => {
    const v = bytes / 2 ** 20;
    return { name, median: v, min: v, max: v, unit: 'MB', target: 30 };
  };
  return [mb('churn: RSS growth (peak)', peak - before), mb('churn: heap the full cache holds', held)];
}

/** tinyauth's allow as the remote strategy returns it (parsed JSON), answered in-process. */
const tinyauthInProcess: Authorizer = {
  authorize: (_facts, checks) =>
    Promise.resolve({
      authorized: true,
      identity: 'reader',
      errorCode: undefined,
      permitted: JSON.parse(JSON.stringify(groupChecks(checks))) as Record<string, string[]>,
      notPermitted: {},
      source: 'tinyauth',
    }),
};

/** A full garbage collection (V8's `gc`, exposed at run time: the bench runs without --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function format(row: Row): string[] {
  const n = (v: number): string => (row.unit === 'MB' ? v.toFixed(1) : Math.round(v).toString());
  const pass = row.median <= row.target;
  return [
    row.name,
    `${n(row.median)} ${row.unit}`,
    row.unit === 'MB' ? '-' : `${n(row.min)}-${n(row.max)} ${row.unit}`,
    `<= ${row.unit === 'MB' ? row.target : `${row.target / 1000} µs`}`,
    pass ? 'PASS' : 'MISS',
  ];
}

function printTable(rows: Row[]): void {
  const lines = [['micro', 'median', 'min-max', 'target', ''], ...rows.map(format)];
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  process.stdout.write('\n');
  for (const line of lines) process.stdout.write(`${line.map((v, c) => v.padEnd(widths[c])).join('  ')}\n`);
  process.stdout.write(
    `(${BATCH} operations per sample, ${MEASURE_MS} ms per measure, node ${process.version})\n`,
  );
}

/** Runs the scenario against tinyauth at `tinyauthUrl` (the compatible server in-process when undefined). */
export async function runMicroScenario(tinyauthUrl?: string): Promise<void> {
  const server = tinyauthUrl === undefined ? await startTinyauthServer({ fixture: demoFixture }) : undefined;
  try {
    // Churn first: its RSS baseline is then not blurred by the garbage of the timed runs.
    const churn = await measureChurn();
    const rows = await measureDecisions(tinyauthUrl ?? (server as { url: string }).url);
    printTable([...rows, ...churn]);
  } finally {
    await server?.close();
  }
}

if (require.main === module) {
  void runMicroScenario(process.argv[2]).catch((err: unknown) => {
    process.stderr.write(`micro bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
