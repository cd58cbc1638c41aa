/**
 * The `nestjs-tinyauth-server` CLI, run from source with ts-node.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'src/testing/cli.ts');

function run(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', cli, ...args], {
    cwd: root,
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
  });
}

function collect(child: ChildProcessWithoutNullStreams): {
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
} {
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { out: () => out, err: () => err, exit };
}

async function waitFor(get: () => string, re: RegExp, ms = 20000): Promise<RegExpMatchArray> {
  const t0 = Date.now();
  for (;;) {
    const m = get().match(re);
    if (m) return m;
    if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${re}: ${get()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('nestjs-tinyauth-server CLI', () => {
  it('serves the demo fixture, hides secrets, answers a check and stops on SIGTERM', async () => {
    const child = run(['--port', '0']);
    const io = collect(child);
    try {
      const [, url] = await waitFor(
        io.out,
        /listening on (http:\/\/\S+\/)\n[\s\S]*\(use --print-credentials/,
      );
      expect(io.out()).toContain('sample-service');
      expect(io.out()).not.toContain('sample-service-secret');
      expect(io.out()).not.toContain('admin-pass');
      const res = await fetch(`${url}api/v1/services/apples/authorize-by-token`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from('AKSAMPLESERVICE:sample-service-secret').toString('base64')}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          permit: { ListApples: ['arn:tinyauth:apples:default::apples/'], DeleteApple: ['x'] },
          headers: [['Authorization', `Basic ${Buffer.from('AKREADER:reader-secret').toString('base64')}`]],
          context: {},
        }),
      });
      expect(await res.json()).toEqual({
        Authorized: false,
        ErrorCode: 'NotPermitted',
        Permitted: { ListApples: ['arn:tinyauth:apples:default::apples/'] },
        NotPermitted: { DeleteApple: ['x'] },
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await io.exit).toBe(0);
    expect(io.out()).toContain('stopped');
  });

  it('loads a fixture file and prints credentials on request', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tinyauth-cli-'));
    const file = path.join(dir, 'f.json');
    writeFileSync(
      file,
      JSON.stringify({ users: [{ username: 'u1', password: 'pw1', access_keys: [['AK1', 'sk1']] }] }),
    );
    const child = run(['--fixture', file, '--port=0', '--print-credentials', '--signing-key', 'k']);
    const io = collect(child);
    try {
      await waitFor(io.out, /listening on/);
      await waitFor(io.out, /AK1:sk1/);
      expect(io.out()).toContain('password=pw1');
    } finally {
      child.kill('SIGINT');
    }
    expect(await io.exit).toBe(0);
  });

  it.each([
    [['--port', 'abc'], /--port must be an integer/],
    [['--bogus'], /unknown argument/],
    [['--fixture'], /--fixture needs a value/],
  ])('rejects %j with a usage error and status 2', async (args, message) => {
    const io = collect(run(args));
    expect(await io.exit).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).toContain('usage:');
  });

  it('reports a bad fixture with the field path and status 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tinyauth-cli-'));
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ users: [{ username: 'a', access_keys: [['only-id']] }] }));
    const io = collect(run(['--fixture', file]));
    expect(await io.exit).toBe(2);
    expect(io.err()).toContain('fixture.users[0].access_keys[0]: expected [id, secret]');
  });
});
