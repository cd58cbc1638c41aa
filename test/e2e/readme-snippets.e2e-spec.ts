/**
 * Every ```ts block of README.md must compile, as written, against the BUILT package (dist/, what `npm install
 * nestjs-tinyauth` gives a user), not against src/. Each block becomes one file of test-output/readme-snippets/,
 * and one `tsc --noEmit` checks them all; a failure names the README line.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'test-output', 'readme-snippets');
const BUILD_TIMEOUT_MS = 240_000;
const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One ```ts block: its text and the README line of its first code line. */
interface Snippet {
  file: string;
  firstLine: number;
  code: string;
}

function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`README.md:${i + 1}: unclosed ts block`);
    const firstLine = start + 1; // 1-based
    snippets.push({
      file: `snippet-line-${String(firstLine).padStart(4, '0')}.ts`,
      firstLine,
      code: lines.slice(start, end).join('\n') + '\n',
    });
    i = end;
  }
  return snippets;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Same lock as sample-app.e2e-spec.ts: `npm run build` starts with `rm -rf dist`, so never build twice at once. */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(ROOT, 'test-output', '.build.lock');
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > BUILD_TIMEOUT_MS)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds dist/ when it is missing or older than src/ (test-all.sh builds first, so normally this is a no-op). */
async function ensureBuiltPackage(): Promise<void> {
  await withBuildLock(async () => {
    const built = join(ROOT, 'dist', 'index.d.ts');
    if (existsSync(built) && statSync(built).mtimeMs >= newestSource(join(ROOT, 'src'))) return;
    try {
      await run('npm', ['run', '--silent', 'build'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      throw new Error(`npm run build failed:\n${stdout ?? ''}${stderr ?? ''}`);
    }
  });
}

/** The compiler settings of the repository (strict, decorators), but `nestjs-tinyauth` resolves to dist/. */
const TSCONFIG = {
  extends: '../../tsconfig.json',
  compilerOptions: {
    noEmit: true,
    baseUrl: '.',
    rootDir: '.',
    paths: {
      'nestjs-tinyauth': ['../../dist/index.d.ts'],
      'nestjs-tinyauth/testing': ['../../dist/testing/index.d.ts'],
    },
    types: ['node', 'jest'],
  },
  include: ['*.ts'],
};

describe('README.md TypeScript snippets', () => {
  const snippets = extractSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  beforeAll(async () => {
    await ensureBuiltPackage();
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    for (const s of snippets) writeFileSync(join(OUT, s.file), s.code);
  }, BUILD_TIMEOUT_MS + 30_000);

  it('has ts snippets to check', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8);
  });

  it('imports the package by its public names only', () => {
    const deep = snippets.filter((s) => /from '(?:\.{1,2}\/|nestjs-tinyauth\/(?!testing'))/.test(s.code));
    expect(deep.map((s) => `README.md:${s.firstLine}`)).toEqual([]);
  });

  it('type-checks every snippet against the built package', async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      await run(process.execPath, [tsc, '-p', join(OUT, 'tsconfig.json'), '--pretty', 'false'], {
        cwd: OUT,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      output = `${stdout ?? ''}${stderr ?? ''}`;
    }
    // "snippet-line-0123.ts(5,3): error TS2304: ..." becomes "README.md:127:3: error TS2304: ...".
    const byFile = new Map(snippets.map((s) => [s.file, s]));
    const errors = output
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const m = /^(snippet-line-\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(l);
        const snippet = m && byFile.get(m[1]);
        return snippet ? `README.md:${snippet.firstLine + Number(m[2]) - 1}:${m[3]}: ${m[4]}` : l;
      });
    expect(errors).toEqual([]);
  }, 120_000);
});
