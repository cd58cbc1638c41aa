/**
 * The package as npm publishes it: `npm pack` of a fresh checkout (no dist/, so `prepack` has to build), its file
 * list and size, and `require`, `import` and the `bin` run from the unpacked tarball. Also: `npm install` on a fresh
 * clone leaves package-lock.json as committed.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/package-build';

const run = promisify(execFile);
const PACK_TIMEOUT_MS = 240_000;
/** Packed (gzip) size budget: 0.1.0 packs to about 125 kB; shipping tests, sources or maps by mistake would exceed it. */
// About 240 kB packed with GraphQL/WebSocket/RPC support, observability, the shared tier, explain and lint; the
// budget leaves room for fixes, not for another feature unnoticed.
const PACKED_SIZE_BUDGET = 288 * 1024;

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number; mode: number }[];
}

/** A checkout as `git clone` leaves it: sources and configs, no dist/. node_modules is linked, not reinstalled. */
function freshCheckout(dir: string): void {
  for (const file of [
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
    'tsconfig.json',
    'tsconfig.build.json',
  ])
    if (existsSync(join(ROOT, file))) cpSync(join(ROOT, file), join(dir, file));
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

describe('the published package', () => {
  let work: string;
  let pack: PackResult;
  /** The unpacked tarball, installed as a consumer's dependency; the repository's node_modules serve its peers. */
  let installed: string;
  let consumer: string;

  beforeAll(async () => {
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    // Under test-output/ so that the consumer resolves the peers from the repository's node_modules.
    work = mkdtempSync(join(ROOT, 'test-output', 'package-'));
    const checkout = join(work, 'checkout');
    mkdirSync(checkout);
    freshCheckout(checkout);
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: checkout,
      maxBuffer: 16 * 1024 * 1024,
      timeout: PACK_TIMEOUT_MS,
    });
    // prepack's build logs go to stdout before the JSON.
    pack = (JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as PackResult[])[0];
    consumer = join(work, 'consumer');
    installed = join(consumer, 'node_modules', 'nestjs-tinyauth');
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await run('tar', ['-xzf', join(work, pack.filename), '-C', installed, '--strip-components=1']);
  }, PACK_TIMEOUT_MS + 30_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships dist, README, CHANGELOG and LICENSE, and nothing else', () => {
    const paths = pack.files.map((f) => f.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']));
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/testing/cli.js',
      ]),
    );
    const others = paths.filter(
      (p) => !p.startsWith('dist/') && !['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json'].includes(p),
    );
    expect(others).toEqual([]);
    // Every compiled source is there: one .js per non-test .ts under src/.
    const sources = listFiles(join(ROOT, 'src')).filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'));
    const expected = sources.map((p) => `dist/${p.replace(/\.ts$/, '.js')}`);
    expect(paths).toEqual(expect.arrayContaining(expected));
    // And every asset file (the login page's stylesheet and script) as it is.
    const assets = listFiles(join(ROOT, 'src')).filter((p) => !p.endsWith('.ts'));
    expect(assets).toEqual(expect.arrayContaining(['login/assets/login.css', 'login/assets/login.js']));
    expect(paths).toEqual(expect.arrayContaining(assets.map((p) => `dist/${p}`)));
    for (const asset of assets) {
      expect(readFileSync(join(installed, 'dist', asset), 'utf8')).toBe(
        readFileSync(join(ROOT, 'src', asset), 'utf8'),
      );
    }
    expect(paths.filter((p) => /\.ts$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(test|tests|__tests__)\/|\.spec\.|\.e2e-spec\./.test(p))).toEqual([]);
    expect(
      paths.filter((p) => p.startsWith('src/') || p.startsWith('sample-app/') || p.startsWith('bench/')),
    ).toEqual([]);
  });

  it('has no source map, and no sourceMappingURL, that points at a file it does not ship', () => {
    const shipped = new Set(pack.files.map((f) => f.path));
    const dangling: string[] = [];
    for (const path of shipped) {
      if (!/\.(js|d\.ts|map)$/.test(path)) continue;
      const text = readFileSync(join(installed, path), 'utf8');
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      if (url && !url.startsWith('data:') && !shipped.has(join(dirname(path), url)))
        dangling.push(`${path} -> ${url}`);
      if (path.endsWith('.map')) {
        const map = JSON.parse(text) as {
          sources?: string[];
          sourceRoot?: string;
          sourcesContent?: unknown[];
        };
        for (const [i, source] of (map.sources ?? []).entries()) {
          const target = join(dirname(path), map.sourceRoot ?? '', source);
          if (!shipped.has(target) && map.sourcesContent?.[i] == null) dangling.push(`${path} -> ${source}`);
        }
      }
    }
    expect(dangling).toEqual([]);
  });

  it(`packs within its size budget (${PACKED_SIZE_BUDGET / 1024} kB)`, () => {
    expect(pack.size).toBeGreaterThan(0);
    expect(pack.size).toBeLessThanOrEqual(PACKED_SIZE_BUDGET);
  });

  it('declares its license, home, repository and issue tracker, and ships the Apache-2.0 text', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.homepage).toMatch(/^https:\/\/github\.com\/nestjs-tinyauth\/nestjs-tinyauth/);
    expect(manifest.repository).toMatchObject({
      url: expect.stringContaining('github.com/nestjs-tinyauth/nestjs-tinyauth'),
    });
    expect(manifest.bugs).toMatchObject({ url: expect.stringMatching(/\/issues$/) });
    const license = readFileSync(join(installed, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  it('loads with require() from CommonJS', async () => {
    const script = [
      "const lib = require('nestjs-tinyauth');",
      "const testing = require('nestjs-tinyauth/testing');",
      "const policy = require('nestjs-tinyauth/policy');",
      'console.log(JSON.stringify([typeof lib.TinyauthModule.forRoot, typeof lib.TinyauthGuard, typeof testing.startTinyauthServer, typeof policy.lintPolicyDocument, require.resolve("nestjs-tinyauth")]));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual([
      'function',
      'function',
      'function',
      'function',
      join(installed, 'dist', 'index.js'),
    ]);
  });

  it('loads with import from an ES module', async () => {
    const script = [
      "import { TinyauthModule, RequireAction } from 'nestjs-tinyauth';",
      "import { startTinyauthServer, demoFixture } from 'nestjs-tinyauth/testing';",
      "import { lintPolicyDocument } from 'nestjs-tinyauth/policy';",
      'const server = await startTinyauthServer({ fixture: demoFixture });',
      'await server.close();',
      "console.log(JSON.stringify([typeof TinyauthModule.forRootAsync, typeof RequireAction, server.url.startsWith('http://127.0.0.1:'), lintPolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }).map((f) => f.rule)]));",
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual(['function', 'function', true, ['statement-object']]);
  });

  it('runs its bin as an executable file', async () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const bin = join(installed, manifest.bin['nestjs-tinyauth-server']);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    const { stdout } = await run(bin, ['--help'], { cwd: consumer });
    expect(stdout).toContain('nestjs-tinyauth-server');
    expect(stdout).toContain('--port');
  });

  it('leaves package-lock.json as committed when npm install runs on a fresh clone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyauth-lock-'));
    try {
      for (const file of ['package.json', 'package-lock.json']) cpSync(join(ROOT, file), join(dir, file));
      await run(
        'npm',
        ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
        { cwd: dir, timeout: 120_000 },
      );
      expect(readFileSync(join(dir, 'package-lock.json'), 'utf8')).toBe(
        readFileSync(join(ROOT, 'package-lock.json'), 'utf8'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}
