/**
 * The README's first ten minutes, for real: builds the package and the sample the way `npm start` does, runs
 * `node sample-app/dist/main.js` as its own process in demo mode (embedded tinyauth, PORT=0), replays the curl
 * tour it prints (which must be the README's, port aside) over HTTP, walks the browser flow, and stops it with
 * SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_TIMEOUT_MS, ROOT, ensureBuilt } from '../helpers/package-build';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The running sample: its process, everything it printed, and the app URL from its banner. */
interface SampleProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  appUrl: string;
  tinyauthUrl: string;
}

/** Starts the built sample in demo mode and resolves once its banner is complete. */
async function startSample(): Promise<SampleProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  // Demo mode is "no TINYAUTH_ENDPOINT"; a developer's own settings must not leak in.
  for (const name of Object.keys(env)) if (name.startsWith('TINYAUTH_') || name === 'HOST') delete env[name];
  const child = spawn(process.execPath, [join(ROOT, 'sample-app', 'dist', 'main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 30_000;
  while (!/Ctrl-C to stop/.test(out)) {
    if (done || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the sample did not print its banner${done ? ' (it exited)' : ''}:\n${out}`);
    }
    await sleep(50);
  }
  const appUrl = /^\s*App:\s+(http:\/\/\S+\/)\s*$/m.exec(out)?.[1];
  const tinyauthUrl = /^\s*tinyauth:\s+(http:\/\/\S+\/)/m.exec(out)?.[1];
  if (!appUrl || !tinyauthUrl) throw new Error(`no App:/tinyauth: URL in the banner:\n${out}`);
  return { child, output: () => out, exited, appUrl, tinyauthUrl };
}

/** A printed tour line: the curl command and the status its trailing comment promises. */
interface TourCall {
  command: string;
  expect: number;
}

function tourCalls(banner: string): TourCall[] {
  return [...banner.matchAll(/^\s*(curl .+?)\s+# (\d{3})\s*$/gm)].map((m) => ({
    command: m[1],
    expect: Number(m[2]),
  }));
}

/** Splits a shell command line into words: plain words and '…' single-quoted strings (what the tour uses). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /'([^']*)'|(\S+)/g;
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) words.push(m[1] ?? m[2]);
  return words;
}

/** Runs a curl command line of the tour with fetch (curl may not be installed), as curl would send it. */
async function fetchLikeCurl(command: string): Promise<Response> {
  const words = shellWords(command);
  if (words.shift() !== 'curl') throw new Error(`not a curl command: ${command}`);
  const headers = new Headers();
  let method: string | undefined;
  let body: string | undefined;
  let url: string | undefined;
  while (words.length > 0) {
    const word = words.shift()!;
    if (word === '-i' || word === '-s' || word === '-sS') continue;
    else if (word === '-u')
      headers.set('Authorization', `Basic ${Buffer.from(words.shift()!).toString('base64')}`);
    else if (word === '-H') {
      const header = words.shift()!;
      const colon = header.indexOf(':');
      headers.set(header.slice(0, colon).trim(), header.slice(colon + 1).trim());
    } else if (word === '-d') body = words.shift();
    else if (word === '-X') method = words.shift();
    else if (word.startsWith('http')) url = word;
    else throw new Error(`unsupported curl argument ${word} in: ${command}`);
  }
  if (!url) throw new Error(`no URL in: ${command}`);
  if (body !== undefined && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/x-www-form-urlencoded');
  }
  return fetch(url, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    redirect: 'manual',
  });
}

/** One command of the README's tour and the response it shows (status, some headers, the body). */
interface ReadmeCall {
  line: number;
  command: string;
  status: number;
  headers: Array<[string, string]>;
  body?: string;
}

/**
 * The README's tour: its ```console blocks, where `$ curl ...` is followed by the response as observed, trimmed
 * (`…` marks what was left out). They assume the default port 3000.
 */
function readmeTour(): ReadmeCall[] {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const calls: ReadmeCall[] = [];
  let inConsole = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('```')) inConsole = !inConsole && lines[i].trim() === '```console';
    if (!inConsole || !lines[i].startsWith('$ curl ')) continue;
    const shown: string[] = [];
    for (let j = i + 1; j < lines.length && lines[j].trim() !== '' && !lines[j].startsWith('```'); j++) {
      shown.push(lines[j]);
    }
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(shown[0] ?? '');
    if (!status) throw new Error(`README.md:${i + 2}: expected an HTTP/1.1 status line after the command`);
    const call: ReadmeCall = {
      line: i + 1,
      command: lines[i].slice(2),
      status: Number(status[1]),
      headers: [],
    };
    for (const text of shown.slice(1)) {
      const header = /^([A-Za-z-]+): (.*)$/.exec(text);
      if (header) call.headers.push([header[1], header[2]]);
      else if (text !== '…') call.body = text;
    }
    calls.push(call);
  }
  return calls;
}

/** A body as the README shows it: JSON compared as data, anything else as text. */
const comparable = (body: string): unknown => (/^[[{]/.test(body) ? JSON.parse(body) : body);

interface Metrics {
  types: Map<string, string>;
  samples: Map<string, number>;
}

/** Parses Prometheus' text exposition format: `# TYPE` lines and `name{labels} value` samples. */
function parsePrometheus(text: string): Metrics {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a Prometheus sample line: ${line}`);
    const value = Number(sample[2].replace(/^\+Inf$/, 'Infinity'));
    if (Number.isNaN(value)) throw new Error(`not a number in: ${line}`);
    samples.set(sample[1], value);
  }
  return { types, samples };
}

async function signIn(appUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${appUrl}login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password }),
    redirect: 'manual',
  });
  expect(res.status).toBe(200);
  const session = res.headers.getSetCookie().find((c) => c.startsWith('tinysess='));
  expect(session).toBeDefined();
  return session!.split(';')[0];
}

describe('sample app, started as the README says (demo mode)', () => {
  let sample: SampleProcess;

  beforeAll(async () => {
    await ensureBuilt('build:sample');
    sample = await startSample();
  }, BUILD_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    if (sample && sample.child.exitCode === null && sample.child.signalCode === null) {
      sample.child.kill('SIGKILL');
      await sample.exited;
    }
  });

  it('prints the app URL with the real port, the demo users and the curl tour, once', () => {
    const out = sample.output();
    expect(sample.appUrl).toMatch(/^http:\/\/localhost:\d+\/$/);
    expect(sample.appUrl).not.toBe('http://localhost:0/');
    expect(out.match(/App:/g)).toHaveLength(1);
    for (const user of ['admin / admin-pass', 'reader / reader-pass', 'nobody / nobody-pass']) {
      expect(out).toContain(user);
    }
    expect(tourCalls(out).map((c) => c.expect)).toEqual([200, 200, 401, 403, 201]);
  });

  it("prints the README's API calls, with its own port and the statuses the README shows", () => {
    const printed = tourCalls(sample.output()).map((c) => ({
      command: c.command.replaceAll(sample.appUrl, 'http://localhost:3000/'),
      expect: c.expect,
    }));
    const inReadme = readmeTour()
      .filter((c) => c.command.includes('/api/'))
      .map((c) => ({ command: c.command, expect: c.status }));
    expect(inReadme).toEqual(printed);
  });

  it("answers the README's tour exactly as the README shows", async () => {
    const tour = readmeTour();
    expect(tour.length).toBeGreaterThanOrEqual(7);
    for (const call of tour) {
      const where = `README.md:${call.line}: ${call.command}`;
      const res = await fetchLikeCurl(call.command.replaceAll('http://localhost:3000/', sample.appUrl));
      const text = await res.text();
      expect(`${where} -> ${res.status}`).toBe(`${where} -> ${call.status}`);
      for (const [name, value] of call.headers) {
        expect(`${where} -> ${name}: ${res.headers.get(name)}`).toBe(`${where} -> ${name}: ${value}`);
      }
      if (call.body !== undefined) expect([where, comparable(text)]).toEqual([where, comparable(call.body)]);
    }
  });

  it('admin lists the apples; reader reads one but may not create; no credentials is 401', async () => {
    const admin = `Basic ${Buffer.from('AKADMIN:admin-secret').toString('base64')}`;
    const reader = `Basic ${Buffer.from('AKREADER:reader-secret').toString('base64')}`;
    const api = `${sample.appUrl}api/v1/apples`;

    const list = await fetch(api, { headers: { Authorization: admin } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as Array<{ name: string }>).map((a) => a.name)).toContain('granny-smith');

    const one = await fetch(`${api}/granny-smith`, { headers: { Authorization: reader } });
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ name: 'granny-smith', color: 'green', weight: 180 });

    const write = await fetch(api, {
      method: 'POST',
      headers: { Authorization: reader, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'cox', color: 'red', weight: 150 }),
    });
    expect(write.status).toBe(403);
    expect(await write.json()).toEqual({
      Authorized: false,
      ErrorCode: 'NotPermitted',
      Message: 'You are signed in, but not allowed to: CreateApple on arn:tinyauth:apples:default::apples/.',
    });

    const anonymous = await fetch(api);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ Authorized: false, ErrorCode: 'UnsignedRequest' });

    const remove = await fetch(`${api}/braeburn`, { method: 'DELETE', headers: { Authorization: reader } });
    expect(remove.status).toBe(403);
  });

  it('serves /health through Terminus, with tinyauth up, without credentials', async () => {
    const res = await fetch(`${sample.appUrl}health`);
    expect(res.status).toBe(200);
    const tinyauth = { status: 'up', mode: 'remote', reachable: true };
    expect(await res.json()).toEqual({
      status: 'ok',
      info: { tinyauth },
      error: {},
      details: { tinyauth },
    });
  });

  it('serves /metrics in the Prometheus text format, counting the decisions it made', async () => {
    const before = parsePrometheus(await (await fetch(`${sample.appUrl}metrics`)).text());
    const admin = `Basic ${Buffer.from('AKADMIN:admin-secret').toString('base64')}`;
    const api = `${sample.appUrl}api/v1/apples`;
    expect((await fetch(api, { headers: { Authorization: admin } })).status).toBe(200);
    expect((await fetch(api)).status).toBe(401);
    const res = await fetch(`${sample.appUrl}metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const after = parsePrometheus(await res.text());

    expect(after.types.get('tinyauth_decisions_total')).toBe('counter');
    expect(after.types.get('tinyauth_decision_duration')).toBe('histogram');
    expect(after.types.get('tinyauth_reachable')).toBe('gauge');
    const labels = (outcome: string) =>
      `tinyauth_outcome="${outcome}",tinyauth_mode="remote",tinyauth_source="tinyauth",otel_scope_name="nestjs-tinyauth"`;
    const value = (m: Metrics, name: string) => m.samples.get(name) ?? 0;
    for (const outcome of ['allow', 'deny']) {
      const counter = `tinyauth_decisions_total{${labels(outcome)}}`;
      expect(value(after, counter) - value(before, counter)).toBe(1);
      // The histogram counts the same decisions, and its buckets add up.
      const count = value(after, `tinyauth_decision_duration_count{${labels(outcome)}}`);
      expect(count).toBe(value(after, counter));
      expect(value(after, `tinyauth_decision_duration_bucket{${labels(outcome)},le="+Inf"}`)).toBe(count);
      expect(value(after, `tinyauth_decision_duration_sum{${labels(outcome)}}`)).toBeGreaterThan(0);
    }
    expect(after.samples.get('tinyauth_reachable{otel_scope_name="nestjs-tinyauth"}')).toBe(1);
  });

  it('redirects an anonymous browser from / to the login page', async () => {
    const res = await fetch(sample.appUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2F');
    const page = await fetch(`${sample.appUrl}login?next=%2F`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form');
  });

  it('shows the signed-in reader the web page, and refuses nobody with 403', async () => {
    const readerCookie = await signIn(sample.appUrl, 'reader', 'reader-pass');
    const page = await fetch(sample.appUrl, { headers: { Cookie: readerCookie }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<strong id="identity">reader</strong>');
    expect(html).toContain('href="/logout"');
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);

    const nobodyCookie = await signIn(sample.appUrl, 'nobody', 'nobody-pass');
    const denied = await fetch(sample.appUrl, { headers: { Cookie: nobodyCookie }, redirect: 'manual' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await denied.text()).toContain('<code>apples:AccessWebInterface</code>');
  });

  it('stops cleanly on SIGTERM (exit status 0) and closes the embedded tinyauth', async () => {
    sample.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timed out'>(
      (resolve) => (timer = setTimeout(() => resolve('timed out'), 8_000)),
    );
    const result = await Promise.race([sample.exited, timeout]);
    clearTimeout(timer);
    expect(result).toEqual({ code: 0, signal: null });
    await expect(fetch(`${sample.tinyauthUrl}`)).rejects.toThrow();
  }, 15_000);
});
