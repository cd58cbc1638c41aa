import type autocannon from 'autocannon';
import type { AdapterName, Variant } from './variants';

/** One measured run of one variant. */
export interface Sample {
  adapter: AdapterName;
  variant: Variant;
  round: number;
  result: autocannon.Result;
  /** CPU time the app process spent per request during the run, in microseconds (NaN when unknown). */
  cpuPerRequest: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pad = (s: string, n: number): string => s.padEnd(n);

/**
 * Prints one row per adapter and variant. "vs bare" is the throughput ratio to the bare route of the same adapter.
 * The extra cost of a variant is 1/rps - 1/rps(bare), in microseconds of the serving process per request;
 * "remote cost / raw" compares remote's extra cost with the raw undici round trip's.
 */
export function printReport(
  samples: Sample[],
  adapters: AdapterName[],
  variants: Variant[],
  run: { connections: number; duration: number; rounds: number; seconds: number },
): void {
  const lines: string[] = [];
  lines.push(
    `autocannon: ${run.connections} connections, ${run.duration} s x ${run.rounds} interleaved rounds ` +
      `(${Math.round(run.seconds)} s of load)`,
  );
  lines.push(
    `${pad('adapter', 8)} ${pad('variant', 11)} ${pad('req/s median', 13)} ${pad('min-max', 17)} ${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('vs bare', 8)} ${pad('+us/req', 8)} ${pad('app cpu us/req', 15)} errors`,
  );
  for (const adapter of adapters) {
    const rpsOf = (variant: Variant): number[] =>
      samples
        .filter((s) => s.adapter === adapter && s.variant === variant)
        .map((s) => s.result.requests.average);
    const bare = rpsOf('bare').length ? median(rpsOf('bare')) : NaN;
    const extra = (rps: number): number => (1 / rps - 1 / bare) * 1e6;
    for (const variant of variants) {
      const mine = samples.filter((s) => s.adapter === adapter && s.variant === variant);
      if (mine.length === 0) continue;
      const rps = mine.map((s) => s.result.requests.average);
      const med = median(rps);
      const p50 = median(mine.map((s) => s.result.latency.p50));
      const p99 = median(mine.map((s) => s.result.latency.p99));
      const cpu = median(mine.map((s) => s.cpuPerRequest));
      const bad = mine.reduce((n, s) => n + s.result.non2xx + s.result.errors + s.result.timeouts, 0);
      lines.push(
        `${pad(adapter, 8)} ${pad(variant, 11)} ${pad(fmt(med), 13)} ${pad(`${fmt(Math.min(...rps))}-${fmt(Math.max(...rps))}`, 17)} ` +
          `${pad(p50.toFixed(1), 7)} ${pad(p99.toFixed(1), 7)} ${pad((med / bare).toFixed(2), 8)} ` +
          `${pad(variant === 'bare' ? '-' : extra(med).toFixed(1), 8)} ${pad(Number.isNaN(cpu) ? '?' : cpu.toFixed(1), 15)} ${bad}`,
      );
    }
    const raw = rpsOf('raw-undici');
    const remote = rpsOf('remote');
    if (raw.length && remote.length) {
      const cpuOf = (variant: Variant): number =>
        median(
          samples.filter((s) => s.adapter === adapter && s.variant === variant).map((s) => s.cpuPerRequest),
        );
      const cpuRatio = (cpuOf('remote') - cpuOf('bare')) / (cpuOf('raw-undici') - cpuOf('bare'));
      lines.push(
        `${pad(adapter, 8)} remote cost / raw undici round-trip cost = ${(extra(median(remote)) / extra(median(raw))).toFixed(2)}x ` +
          `by throughput (remote/raw req/s = ${(median(remote) / median(raw)).toFixed(2)}), ` +
          `${Number.isNaN(cpuRatio) ? '?' : cpuRatio.toFixed(2)}x by app CPU`,
      );
    }
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
