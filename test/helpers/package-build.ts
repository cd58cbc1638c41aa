/**
 * Builds what the README's commands build, for the tests that run the built package (the sample app, the README
 * snippets). Jest runs those suites in parallel and `npm run build` starts with `rm -rf dist`, so every build runs
 * under one lock directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(__dirname, '..', '..');
export const BUILD_TIMEOUT_MS = 240_000;
const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Newest modification time of the .ts files and assets under `dir` (0 when there are none). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|css|js)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `fn` while holding `test-output/.build.lock`. */
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
      // A lock left behind by a killed run is older than any real build.
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

async function npmRun(script: string): Promise<void> {
  try {
    await run('npm', ['run', '--silent', script], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`npm run ${script} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/**
 * Builds dist/ when it is missing or older than src/ (test-all.sh builds first, so normally a no-op), then the
 * given extra scripts (e.g. `build:sample`), all under the lock.
 */
export async function ensureBuilt(...extraScripts: string[]): Promise<void> {
  await withBuildLock(async () => {
    const built = join(ROOT, 'dist', 'index.d.ts');
    if (!existsSync(built) || statSync(built).mtimeMs < newestSource(join(ROOT, 'src')))
      await npmRun('build');
    for (const script of extraScripts) await npmRun(script);
  });
}
