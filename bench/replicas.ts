/**
 * The replicas scenario of `npm run bench`: three replicas of one service (Fastify, `cached` mode) behind a
 * round-robin client, once with a per-process cache only and once with the shared tier on Debian's redis-server.
 * The load spreads over BENCH_REPLICA_KEYS apple names (default 100, coprime with 3 so every name visits every
 * replica) with cacheTtlMs 2000 (BENCH_CACHE_TTL_MS), so entries expire and are refilled several times in a run;
 * each run uses names of its own. Reports req/s (whole fleet and per replica), calls
 * that reached tinyauth per 1,000 requests and the cache hit ratio, as median and min-max over the rounds. Then the
 * same for `local` mode, with and without sharing fetched keys and policies (runLocalReplicas).
 */
import { Pool } from 'undici';
import { RedisServer } from '../test/helpers/redis-server';
import { startRecordingProxy } from '../test/helpers/scripted-server';
import { startChild, type Child } from './child';
import { BENCH_USER_KEY } from './variants';

const REPLICAS = 3;
/** Three replicas compile their TypeScript at once: allow for a busy machine. */
const START_MS = 180_000;
type Setup = 'per-process' | 'shared';

interface Counters {
  localHits: number;
  sharedHits: number;
  remoteCalls: number;
  storeFailures: number;
  /** Misses that waited for another replica's call instead of asking tinyauth (absent before the shared leases). */
  sharedWaits?: number;
}

interface Run {
  setup: Setup;
  requests: number;
  failed: number;
  seconds: number;
  counters: Counters;
}

const authorization = `Basic ${Buffer.from(`${BENCH_USER_KEY.id}:${BENCH_USER_KEY.secret}`).toString('base64')}`;

async function counters(replicas: Child[]): Promise<Counters> {
  const all = await Promise.all(
    replicas.map(async (r) => (await (await fetch(`http://127.0.0.1:${r.ready}/stats`)).json()) as Counters),
  );
  return all.reduce(
    (sum, c) => ({
      localHits: sum.localHits + c.localHits,
      sharedHits: sum.sharedHits + c.sharedHits,
      remoteCalls: sum.remoteCalls + c.remoteCalls,
      storeFailures: sum.storeFailures + c.storeFailures,
      sharedWaits: (sum.sharedWaits ?? 0) + (c.sharedWaits ?? 0),
    }),
    { localHits: 0, sharedHits: 0, remoteCalls: 0, storeFailures: 0, sharedWaits: 0 },
  );
}

/** `connections` loops, each sending its next request to the next replica in turn, for `seconds`. */
async function drive(
  pools: Pool[],
  prefix: string,
  keys: number,
  connections: number,
  seconds: number,
): Promise<{ requests: number; failed: number; seconds: number }> {
  let next = 0;
  let requests = 0;
  let failed = 0;
  const started = Date.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const i = next++;
        const res = await pools[i % pools.length].request({
          path: `/bench/${prefix}-${i % keys}`,
          method: 'GET',
          headers: { authorization, accept: 'application/json' },
        });
        await res.body.dump();
        requests++;
        if (res.statusCode !== 200) failed++;
      }
    }),
  );
  return { requests, failed, seconds: (Date.now() - started) / 1000 };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const spread = (values: number[], digits = 0): string => {
  const f = (n: number): string => n.toFixed(digits);
  return `${f(median(values))} (${f(Math.min(...values))}-${f(Math.max(...values))})`;
};

/** Runs the scenario against tinyauth at `tinyauthUrl`; `children` collects processes for the caller to stop. */
export async function runReplicasScenario(
  tinyauthUrl: string,
  children: Child[],
  opts: { connections: number; duration: number; warmup: number; rounds: number },
): Promise<void> {
  const keys = Number(process.env.BENCH_REPLICA_KEYS) || 100;
  // A TTL well inside one run, so the figures show the steady state (entries expiring and refilled), not a cold start.
  process.env.BENCH_CACHE_TTL_MS ??= '2000';
  const redis = await RedisServer.start();
  children.push({ name: 'redis', ready: redis.url, stop: () => redis.stop(), cpuMicros: () => NaN });
  const fleets = new Map<Setup, Child[]>();
  for (const setup of ['per-process', 'shared'] as Setup[]) {
    const variant = setup === 'shared' ? 'cached-shared' : 'cached';
    const started = await Promise.all(
      Array.from({ length: REPLICAS }, (_, i) =>
        startChild(`${setup}/${i}`, ['bench/app.ts', 'fastify', variant, tinyauthUrl, redis.url], {
          timeoutMs: START_MS,
        }),
      ),
    );
    children.push(...started);
    fleets.set(setup, started);
  }
  const ttlMs = Number(process.env.BENCH_CACHE_TTL_MS);
  // Calls per apple name per fill: each run's names are new, so a name is filled once at the start and again after
  // each cacheTtlMs (3 fills in 5 s at 2 s). N per fill (one per replica) without sharing, ideally 1 with it; more
  // than 1 with sharing means replicas asked tinyauth for the same name at the same time (a stampede).
  const perWindow = (calls: number, seconds: number): number =>
    calls / (keys * (1 + Math.floor((seconds * 1000) / ttlMs)));
  const runs: Run[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    const order: Setup[] = round % 2 ? ['shared', 'per-process'] : ['per-process', 'shared'];
    for (const setup of order) {
      const replicas = fleets.get(setup) as Child[];
      const pools = replicas.map(
        (r) => new Pool(`http://127.0.0.1:${r.ready}`, { connections: opts.connections }),
      );
      try {
        await drive(pools, `warm-${round}`, keys, opts.connections, opts.warmup);
        const before = await counters(replicas);
        const load = await drive(pools, `r${round}`, keys, opts.connections, opts.duration);
        const after = await counters(replicas);
        const delta = {
          localHits: after.localHits - before.localHits,
          sharedHits: after.sharedHits - before.sharedHits,
          remoteCalls: after.remoteCalls - before.remoteCalls,
          storeFailures: after.storeFailures - before.storeFailures,
          sharedWaits: (after.sharedWaits ?? 0) - (before.sharedWaits ?? 0),
        };
        runs.push({ setup, ...load, counters: delta });
        process.stderr.write(
          `round ${round + 1}/${opts.rounds} replicas/${setup}: ${Math.round(load.requests / load.seconds)} req/s, ` +
            `${delta.remoteCalls} tinyauth calls (${perWindow(delta.remoteCalls, load.seconds).toFixed(2)} per name per fill), ` +
            `${delta.sharedHits} shared hits, ${delta.sharedWaits} waits for another replica, ` +
            `${delta.storeFailures} store failures${load.failed ? ` (${load.failed} non-200)` : ''}\n`,
        );
      } finally {
        await Promise.all(pools.map((p) => p.close()));
      }
    }
  }
  const rows = (['per-process', 'shared'] as Setup[]).map((setup) => {
    const mine = runs.filter((r) => r.setup === setup);
    const rps = mine.map((r) => r.requests / r.seconds);
    return {
      setup,
      rps,
      perReplica: rps.map((v) => v / REPLICAS),
      callsPer1000: mine.map((r) => (1000 * r.counters.remoteCalls) / r.requests),
      hitRatio: mine.map((r) => (r.counters.localHits + r.counters.sharedHits) / r.requests),
      callsPerWindow: mine.map((r) => perWindow(r.counters.remoteCalls, r.seconds)),
      failed: mine.reduce((n, r) => n + r.failed, 0),
    };
  });
  const [own, shared] = rows;
  process.stdout.write(
    `\nReplicas scenario: ${REPLICAS} Fastify replicas in cached mode, round-robin client, ${opts.connections} ` +
      `connections, ${keys} apple names, cacheTtlMs ${process.env.BENCH_CACHE_TTL_MS}, ${opts.duration} s x ` +
      `${opts.rounds} rounds; median (min-max)\n`,
  );
  process.stdout.write(
    `${'cache'.padEnd(12)}${'fleet req/s'.padEnd(22)}${'req/s per replica'.padEnd(22)}` +
      `${'tinyauth calls/1000 req'.padEnd(26)}${'calls/name/fill'.padEnd(20)}hit ratio\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${r.setup.padEnd(12)}${spread(r.rps).padEnd(22)}${spread(r.perReplica).padEnd(22)}` +
        `${spread(r.callsPer1000, 1).padEnd(26)}${spread(r.callsPerWindow, 2).padEnd(20)}${spread(r.hitRatio, 3)}` +
        `${r.failed ? `  (${r.failed} non-200)` : ''}\n`,
    );
  process.stdout.write(
    `shared / per-process: tinyauth calls ${(median(shared.callsPer1000) / median(own.callsPer1000)).toFixed(2)} ` +
      `(goal <= ${(1 / REPLICAS).toFixed(2)}), throughput per replica ` +
      `${(median(shared.perReplica) / median(own.perReplica)).toFixed(2)} (goal >= 0.85)\n`,
  );
  await runLocalReplicas(tinyauthUrl, redis.url, children, opts);
}

/**
 * `local` mode's part: the same load on three replicas in local mode, fetching signing keys and policies for
 * themselves or sharing them on Redis. tinyauth is reached through a recording proxy that counts the reads. Keys
 * live 5 minutes (keyCacheMaxMs) and policies 60 s (the compatible server's max-age), longer than the run: each
 * replica reads each at most once, so reads per replica over the run are reads per replica per lifetime.
 */
export async function runLocalReplicas(
  tinyauthUrl: string,
  redisUrl: string,
  children: Child[],
  opts: { connections: number; duration: number; warmup: number; rounds: number },
): Promise<void> {
  const keys = Number(process.env.BENCH_REPLICA_KEYS) || 100;
  const setups = ['local', 'local-shared'] as const;
  const proxies = await Promise.all(setups.map(() => startRecordingProxy(tinyauthUrl)));
  children.push(
    ...proxies.map((p) => ({ name: 'proxy', ready: p.url, stop: () => p.close(), cpuMicros: () => NaN })),
  );
  const fleets: Child[][] = [];
  for (const [s, setup] of setups.entries()) {
    const started = await Promise.all(
      Array.from({ length: REPLICAS }, (_, i) =>
        startChild(`${setup}/${i}`, ['bench/app.ts', 'fastify', setup, proxies[s].url, redisUrl], {
          timeoutMs: START_MS,
        }),
      ),
    );
    children.push(...started);
    fleets.push(started);
  }
  const rps: number[][] = [[], []];
  for (let round = 0; round < opts.rounds; round++) {
    for (const s of round % 2 ? [1, 0] : [0, 1]) {
      const pools = fleets[s].map(
        (r) => new Pool(`http://127.0.0.1:${r.ready}`, { connections: opts.connections }),
      );
      try {
        await drive(pools, `local-warm-${round}`, keys, opts.connections, opts.warmup);
        const load = await drive(pools, `local-r${round}`, keys, opts.connections, opts.duration);
        rps[s].push(load.requests / load.seconds);
        process.stderr.write(
          `round ${round + 1}/${opts.rounds} replicas/${setups[s]}: ${Math.round(load.requests / load.seconds)} req/s` +
            `${load.failed ? ` (${load.failed} non-200)` : ''}\n`,
        );
      } finally {
        await Promise.all(pools.map((p) => p.close()));
      }
    }
  }
  const reads = (s: number, pattern: RegExp): number =>
    proxies[s].requests.filter((r) => pattern.test(r.url)).length / REPLICAS;
  process.stdout.write(
    `\nLocal mode, same load: signing-key and policy reads per replica per lifetime, req/s median (min-max)\n` +
      `${'cache'.padEnd(14)}${'key reads'.padEnd(12)}${'policy reads'.padEnd(15)}${'fleet req/s'.padEnd(22)}req/s per replica\n`,
  );
  for (const [s, setup] of setups.entries())
    process.stdout.write(
      `${setup.padEnd(14)}${reads(s, /signing-tokens/)
        .toFixed(2)
        .padEnd(12)}` +
        `${reads(s, /user-policies/)
          .toFixed(2)
          .padEnd(15)}${spread(rps[s]).padEnd(22)}` +
        `${spread(rps[s].map((v) => v / REPLICAS))}\n`,
    );
  process.stdout.write(
    `local-shared / local: throughput per replica ${(median(rps[1]) / median(rps[0])).toFixed(2)}\n`,
  );
}
