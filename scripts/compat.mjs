#!/usr/bin/env node
// The consumer matrix: packs this package once, installs the tarball into each app under test/compat/ as a user
// would (`npm ci` from the app's committed lockfile, then `npm install <tarball>`: no --legacy-peer-deps, no
// --force), runs each app's tests on each Node version it claims, type-checks the public API under each TypeScript
// version and module resolution, and prints `N passed, M failed` (exit 1 on any failure).
//
//   node scripts/compat.mjs [--prebuilt] [--only <app>|types] [--node <version,...>] (default --node 22,24,20.18)
//
// --prebuilt packs the dist/ already built (skips `prepack`), as test-all.sh does right after `npm run build`.
// Installs reuse npm's cache (--prefer-offline) and an app's node_modules while its lockfile is unchanged; Node 22
// and 24 come from the registry's node-<os>-<arch> packages into test-output/compat/, never into the project.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const COMPAT = join(ROOT, 'test', 'compat');
const OUT = join(ROOT, 'test-output', 'compat');
const TARBALL = join(OUT, 'nestjs-tinyauth.tgz');
const NPM_QUIET = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/** Node majors beside the one running this script (whatever `node` is on PATH: 20 on CI). */
const EXTRA_NODES = ['22', '24'];
/** A Node.js without require(esm), on which importing the package with Nest 12 must fail with a clear message. */
const OLD_NODE = '20.18';
const OLD_NODE_MESSAGE =
  /^nestjs-tinyauth: @nestjs\/common 12\.\d+\.\d+ is published as ES modules only, and Node\.js v20\.18\.\d+ cannot load ES modules with require\(\)/m;
const APPS = [
  { dir: 'nest10-cjs-express', runner: 'node-test', nodes: ['current'] },
  { dir: 'nest11-cjs-fastify', runner: 'node-test', nodes: ['current'] },
  { dir: 'nest12-esm-express', runner: 'vitest', nodes: ['current', ...EXTRA_NODES] },
  { dir: 'nest12-esm-fastify', runner: 'vitest', nodes: ['current', ...EXTRA_NODES] },
];
const TYPESCRIPTS = ['5.9', '6', '7'];
const RESOLUTIONS = ['node16', 'nodenext', 'bundler'];

const { values: args } = parseArgs({
  options: {
    prebuilt: { type: 'boolean', default: false },
    only: { type: 'string' },
    node: { type: 'string' },
  },
});

/** Runs a command; resolves with its exit code and combined output (never rejects). */
function exec(cmd, argv, { cwd = ROOT, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', (err) => resolve({ code: 127, output: `${output}${err.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function mustExec(what, cmd, argv, opts) {
  const r = await exec(cmd, argv, opts);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.output.slice(-4000)}`);
  return r.output;
}

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

async function pack() {
  mkdirSync(OUT, { recursive: true });
  const extra = args.prebuilt ? ['--ignore-scripts'] : [];
  const out = await mustExec('npm pack', 'npm', ['pack', '--json', '--pack-destination', OUT, ...extra]);
  const [{ filename }] = JSON.parse(out.slice(out.indexOf('\n[') + 1));
  renameSync(join(OUT, filename), TARBALL);
}

/** Installs node-<os>-<arch>@<major> under test-output/compat/node-<major>; returns its bin directory. */
async function installNode(major) {
  const prefix = join(OUT, `node-${major}`);
  const pkg = `node-${process.platform}-${process.arch}`;
  const bin = join(prefix, 'node_modules', pkg, 'bin');
  const probe = await exec(join(bin, 'node'), ['--version']);
  if (probe.code === 0 && probe.output.startsWith(`v${major}.`)) return bin;
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(prefix, 'package.json'), '{"private":true}\n');
  await mustExec(
    `npm install ${pkg}@${major}`,
    'npm',
    ['install', ...NPM_QUIET, '--no-package-lock', `${pkg}@${major}`],
    {
      cwd: prefix,
    },
  );
  return bin;
}

/**
 * `npm ci` from the app's lockfile (skipped while node_modules was installed from the same lockfile), then the
 * tarball with `npm install --no-save`, so the committed lockfile never records a tarball whose hash changes with
 * every build.
 */
async function installApp(dir) {
  const cwd = join(COMPAT, dir);
  const lockHash = createHash('sha256')
    .update(readFileSync(join(cwd, 'package-lock.json')))
    .digest('hex');
  const stamp = join(cwd, 'node_modules', '.compat-lock-sha256');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
    await mustExec(`${dir}: npm ci`, 'npm', ['ci', ...NPM_QUIET], { cwd });
    writeFileSync(stamp, lockHash);
  }
  await mustExec(`${dir}: npm install <tarball>`, 'npm', ['install', ...NPM_QUIET, '--no-save', TARBALL], {
    cwd,
  });
}

/** Counts from the runner's own summary; a run that fails before reporting counts as one failure. */
function counts(runner, code, output) {
  // eslint-disable-next-line no-control-regex
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  let passed = 0;
  let failed = 0;
  if (runner === 'node-test') {
    passed = Number(/^(?:#|ℹ) pass (\d+)$/m.exec(text)?.[1] ?? 0);
    failed = Number(/^(?:#|ℹ) fail (\d+)$/m.exec(text)?.[1] ?? 0);
  } else {
    const line = /^\s*Tests\s+(.*)$/m.exec(text)?.[1] ?? '';
    passed = Number(/(\d+) passed/.exec(line)?.[1] ?? 0);
    failed = Number(/(\d+) failed/.exec(line)?.[1] ?? 0);
  }
  if (code !== 0 && failed === 0) failed = 1;
  return { passed, failed };
}

const rows = [];
function record(name, result, output, since) {
  rows.push({ name, ...result });
  const mark = result.failed === 0 ? 'ok  ' : 'FAIL';
  console.log(`  ${mark} ${name}: ${result.passed} passed, ${result.failed} failed (${seconds(since)})`);
  if (result.failed > 0) console.log(output.split('\n').slice(-60).join('\n'));
}

async function main() {
  const started = Date.now();
  const apps = APPS.filter((a) => !args.only || a.dir === args.only);
  const nodes = args.node ? args.node.split(',') : [...EXTRA_NODES, OLD_NODE];
  const wantTypes = !args.only || args.only === 'types';

  let t = Date.now();
  await pack();
  console.log(`compat: packed ${TARBALL.slice(ROOT.length + 1)} (${seconds(t)})`);

  // Installs are mostly network and disk: run them side by side.
  t = Date.now();
  const nodeBins = new Map([['current', dirname(process.execPath)]]);
  const wantedNodes = [...new Set(apps.flatMap((a) => a.nodes))].filter(
    (n) => n !== 'current' && nodes.includes(n),
  );
  const wantOldNode = apps.some((a) => a.dir === 'nest12-esm-express') && nodes.includes(OLD_NODE);
  if (wantOldNode) wantedNodes.push(OLD_NODE);
  const installs = [
    ...apps.map((a) => installApp(a.dir)),
    ...(wantTypes ? [installApp('types')] : []),
    ...wantedNodes.map(async (n) => nodeBins.set(n, await installNode(n))),
  ];
  const settled = await Promise.allSettled(installs);
  const installErrors = settled.filter((s) => s.status === 'rejected').map((s) => s.reason.message);
  if (installErrors.length > 0) {
    console.log(installErrors.join('\n'));
    console.log(`compat: ${installErrors.length} install(s) failed`);
    console.log(`0 passed, ${installErrors.length} failed`);
    process.exit(1);
  }
  console.log(
    `compat: installed ${apps.length + (wantTypes ? 1 : 0)} apps and Node ${wantedNodes.join(', ')} (${seconds(t)})`,
  );

  // Tests run one at a time: each starts servers and times its own requests.
  for (const app of apps) {
    for (const node of app.nodes.filter((n) => n === 'current' || nodes.includes(n))) {
      const bin = nodeBins.get(node);
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', FORCE_COLOR: '0' };
      const version = (await exec(join(bin, 'node'), ['--version'])).output.trim();
      t = Date.now();
      // The type-check does not depend on Node.js: once, with the first Node; the tests on every one.
      const script = node === 'current' || app.runner !== 'vitest' ? 'test' : 'test:e2e';
      const r = await exec('npm', ['run', script, '--silent'], { cwd: join(COMPAT, app.dir), env });
      record(`${app.dir} on Node ${version}`, counts(app.runner, r.code, r.output), r.output, t);
    }
  }
  if (wantOldNode) {
    const bin = join(nodeBins.get(OLD_NODE), 'node');
    const version = (await exec(bin, ['--version'])).output.trim();
    t = Date.now();
    const script =
      "await import('nestjs-tinyauth').then(() => console.log('loaded'), (err) => console.log(err.message));";
    const r = await exec(bin, ['--input-type=module', '-e', script], {
      cwd: join(COMPAT, 'nest12-esm-express'),
    });
    const result = OLD_NODE_MESSAGE.test(r.output) ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
    record(`nest12-esm-express on Node ${version}: the import names the problem`, result, r.output, t);
  }
  if (wantTypes) {
    const cwd = join(COMPAT, 'types');
    for (const ts of TYPESCRIPTS) {
      for (const resolution of RESOLUTIONS) {
        t = Date.now();
        const tsc = join(cwd, 'node_modules', `typescript-${ts}`, 'bin', 'tsc');
        // Full declaration checks (skipLibCheck off) on nodenext everywhere and on TypeScript 7, which is fast;
        // node16 needs skipLibCheck (see README), and bundler on the JavaScript compilers skips it to save time.
        const skipLib = resolution === 'bundler' && ts !== '7' ? ['--skipLibCheck'] : [];
        const r = await exec(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`, ...skipLib], {
          cwd,
        });
        const version = JSON.parse(
          readFileSync(join(cwd, 'node_modules', `typescript-${ts}`, 'package.json')),
        ).version;
        const result = r.code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
        const note = resolution === 'node16' || skipLib.length > 0 ? ' (skipLibCheck)' : '';
        record(`types: TypeScript ${version}, moduleResolution ${resolution}${note}`, result, r.output, t);
      }
    }
  }

  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify({ passed, failed, rows }, null, 2)}\n`);
  console.log(`compat: ${rows.length} rows in ${seconds(started)}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
