/**
 * Sums the self time of a V8 CPU profile (`node --cpu-prof`, or BENCH_CPU_PROF=<dir> for the bench's children) per
 * function and per file, and prints the heaviest of each with their share of the profile:
 * `node -r ts-node/register/transpile-only bench/profile-summary.ts <file.cpuprofile> [top=30] [filter]`.
 * A filter (a substring of the URL) restricts the function table to matching files, e.g. `/src/` for this package,
 * and adds an "owner" table: every sample is charged to the innermost matching frame on its stack, so a function's
 * row holds what it costs with the library and native code it calls (crypto, JSON, Map, GC is not included). When
 * the bench wrote `<file>.json` (`{ requests }`, the requests served while profiling), times are also given in µs
 * per request.
 */
import { existsSync, readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg, filter] = process.argv.slice(2);
const top = Number(topArg) || 30;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const requests = existsSync(`${file}.json`)
  ? (JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { requests: number }).requests
  : undefined;
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const shortUrl = (url: string): string =>
  url === '' ? '(native)' : url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/');
const perFunction = new Map<string, number>();
const perFile = new Map<string, number>();
const perOwner = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, micros] of selfMicros) {
  const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
  total += micros;
  if (functionName === '(idle)') {
    idle += micros;
    continue;
  }
  const where = shortUrl(url);
  const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
  if (!filter || url.includes(filter)) perFunction.set(fn, (perFunction.get(fn) ?? 0) + micros);
  perFile.set(where, (perFile.get(where) ?? 0) + micros);
  if (filter) {
    let owner: number | undefined = id;
    while (owner !== undefined && !(byId.get(owner) as ProfileNode).callFrame.url.includes(filter))
      owner = parentOf.get(owner);
    const frame = owner === undefined ? undefined : (byId.get(owner) as ProfileNode).callFrame;
    const name = frame
      ? `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
      : '';
    if (frame) perOwner.set(name, (perOwner.get(name) ?? 0) + micros);
  }
}
const busy = total - idle;
const table = (title: string, map: Map<string, number>): void => {
  const sum = [...map.values()].reduce((a, b) => a + b, 0);
  const perRequest = (micros: number): string =>
    requests ? ` ${(micros / requests).toFixed(2).padStart(7)} µs/req` : '';
  process.stdout.write(
    `\n${title} (ms, % of busy${requests ? ', µs per request' : ''}); all rows: ${(sum / 1000).toFixed(1)} ms${perRequest(sum)}\n`,
  );
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${(micros / 1000).toFixed(1).padStart(9)} ${((micros / busy) * 100).toFixed(1).padStart(5)}%${perRequest(micros)}  ${name}\n`,
    );
  }
};
process.stdout.write(
  `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (idle ${(idle / 1e6).toFixed(2)} s)` +
    `${requests ? `, ${requests} requests: ${(busy / requests).toFixed(1)} µs busy per request` : ''}\n`,
);
table('by file', perFile);
table(filter ? `self time by function in files matching ${filter}` : 'self time by function', perFunction);
if (filter) table(`charged to the innermost frame in files matching ${filter}`, perOwner);
