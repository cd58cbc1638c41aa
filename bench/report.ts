import { loadavg } from 'node:os';
import type autocannon from 'autocannon';
import type { AdapterName, Variant } from './variants';

/** Which set of cases a sample belongs to (see bench/run.ts). */
export type Scenario = 'variants' | 'resources' | 'churn';

/** One measured run of one case. */
export interface Sample {
  scenario: Scenario;
  adapter: AdapterName;
  /** `bare-gen`: the bare route driven with the scenario's generated requests (the reference of its ratios). */
  variant: Variant | 'bare-gen';
  round: number;
  result: autocannon.Result;
  /** CPU time the app process spent per request during the run (process.cpuUsage()), in microseconds. */
  cpuPerRequest: number;
  /** Highest RSS of the app process seen during the run (sampled every 250 ms), in MiB. */
  peakRssMb: number;
  /** RSS of the app process when the run started (churn: before its cache was first filled), in MiB. */
  rssStartMb: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pad = (s: string, n: number): string => s.padEnd(n);
const range = (values: number[], digits = 0): string =>
  digits === 0
    ? `${fmt(Math.min(...values))}-${fmt(Math.max(...values))}`
    : `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;

/**
 * Prints one row per scenario, adapter and variant. "vs bare" is the throughput ratio to the bare route of the same
 * adapter in the same run, per round then the median (and min-max) over rounds; "+us/req" is 1/rps - 1/rps(bare)
 * in microseconds; "cpu us/req" the app's own CPU time per request; "peak RSS" the highest RSS seen in any round.
 * "remote cost / raw" compares remote's extra cost with the raw undici round trip's. The churn row adds the RSS
 * growth: the peak RSS of its runs minus the RSS before its cache was first filled, in MiB.
 */
export function printReport(
  samples: Sample[],
  adapters: AdapterName[],
  run: {
    connections: number;
    duration: number;
    genDuration: number;
    rounds: number;
    seconds: number;
    resources: number;
    churnUsers: number;
    churnCache: number;
  },
): void {
  const lines: string[] = [];
  const [one, five, fifteen] = loadavg();
  lines.push(
    `autocannon: ${run.connections} connections, ${run.duration} s (${run.genDuration} s with generated requests) x ` +
      `${run.rounds} interleaved rounds (${Math.round(run.seconds)} s of load); load average now ` +
      `${one.toFixed(2)} ${five.toFixed(2)} ${fifteen.toFixed(2)}`,
  );
  lines.push(
    `${pad('scenario', 10)} ${pad('adapter', 8)} ${pad('variant', 14)} ${pad('req/s median', 13)} ${pad('min-max', 15)} ` +
      `${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('vs bare', 8)} ${pad('min-max', 10)} ${pad('+us/req', 8)} ` +
      `${pad('cpu us/req', 11)} ${pad('min-max', 12)} ${pad('peak RSS MB', 12)} errors`,
  );
  for (const scenario of ['variants', 'resources', 'churn'] as const) {
    for (const adapter of adapters) {
      const mine = samples.filter((s) => s.scenario === scenario && s.adapter === adapter);
      if (mine.length === 0) continue;
      const reference = scenario === 'variants' ? 'bare' : 'bare-gen';
      const bareByRound = new Map(
        mine.filter((s) => s.variant === reference).map((s) => [s.round, s.result.requests.average]),
      );
      const bare = bareByRound.size ? median([...bareByRound.values()]) : NaN;
      const extra = (rps: number): number => (1 / rps - 1 / bare) * 1e6;
      const variants = [...new Set(mine.map((s) => s.variant))];
      for (const variant of variants) {
        const runs = mine.filter((s) => s.variant === variant);
        const rps = runs.map((s) => s.result.requests.average);
        const ratios = runs.map((s) => s.result.requests.average / (bareByRound.get(s.round) ?? NaN));
        const med = median(rps);
        const cpu = runs.map((s) => s.cpuPerRequest);
        const bad = runs.reduce((n, s) => n + s.result.non2xx + s.result.errors + s.result.timeouts, 0);
        const isBare = variant === reference;
        lines.push(
          `${pad(scenario, 10)} ${pad(adapter, 8)} ${pad(variant, 14)} ${pad(fmt(med), 13)} ${pad(range(rps), 15)} ` +
            `${pad(median(runs.map((s) => s.result.latency.p50)).toFixed(1), 7)} ` +
            `${pad(median(runs.map((s) => s.result.latency.p99)).toFixed(1), 7)} ` +
            `${pad(isBare ? '1.00' : median(ratios).toFixed(2), 8)} ${pad(isBare ? '-' : range(ratios, 2), 10)} ` +
            `${pad(isBare ? '-' : extra(med).toFixed(1), 8)} ${pad(median(cpu).toFixed(1), 11)} ` +
            `${pad(range(cpu, 1), 12)} ${pad(Math.max(...runs.map((s) => s.peakRssMb)).toFixed(0), 12)} ${bad}`,
        );
      }
      const cpuOf = (variant: Variant): number =>
        median(mine.filter((s) => s.variant === variant).map((s) => s.cpuPerRequest));
      const rpsOf = (variant: Variant): number[] =>
        mine.filter((s) => s.variant === variant).map((s) => s.result.requests.average);
      if (scenario === 'variants') {
        const added = (['cached', 'local'] as const)
          .filter((v) => rpsOf(v).length > 0 && bareByRound.size > 0)
          .map((v) => `${v} +${(cpuOf(v) - cpuOf('bare')).toFixed(1)}`);
        if (added.length)
          lines.push(`${pad('', 10)} ${adapter} app CPU added per request (µs): ${added.join(', ')}`);
        const raw = rpsOf('raw-undici');
        const remote = rpsOf('remote');
        if (raw.length && remote.length) {
          const cpuRatio = (cpuOf('remote') - cpuOf('bare')) / (cpuOf('raw-undici') - cpuOf('bare'));
          lines.push(
            `${pad('', 10)} ${adapter} remote cost / raw undici round-trip cost = ` +
              `${(extra(median(remote)) / extra(median(raw))).toFixed(2)}x by throughput ` +
              `(remote/raw req/s = ${(median(remote) / median(raw)).toFixed(2)}), ` +
              `${Number.isNaN(cpuRatio) ? '?' : cpuRatio.toFixed(2)}x by app CPU`,
          );
        }
      }
      if (scenario === 'churn') {
        const churn = mine.filter((s) => s.variant === 'cached');
        if (churn.length) {
          const start = Math.min(...churn.map((s) => s.rssStartMb));
          const growth = churn.map((s) => s.peakRssMb - start);
          lines.push(
            `${pad('', 10)} ${adapter} churn: ${run.churnUsers} credentials through a ${run.churnCache}-entry cache; ` +
              `RSS growth (peak during the rounds - before the cache was filled) ${Math.max(...growth).toFixed(1)} MB`,
          );
        }
      }
    }
  }
  lines.push(
    `resources: one user, ${run.resources} apple names in turn (/bench/:name); churn: every request a new credential ` +
      `(cache full, so each is a miss, a call to tinyauth and an insert that evicts)`,
  );
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
