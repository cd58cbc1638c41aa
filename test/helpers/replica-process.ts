/**
 * Replicas of a service as separate processes (test/helpers/replica-app.ts), for the shared-cache tests: each is
 * started with its own environment and reached over real HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A running replica: its base URL, process and what it printed. */
export interface Replica {
  name: string;
  url: string;
  proc: ChildProcess;
  output: () => string;
}

/** Starts replica-app.ts with `env` (see its header) and waits for it to listen. */
export function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const proc = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'test/helpers/replica-app.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 60_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const match = /READY (\d+)\n/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ name, url: `http://127.0.0.1:${match[1]}`, proc, output: () => out });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${out}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
export async function stopReplica(replica: Replica): Promise<void> {
  if (replica.proc.exitCode !== null || replica.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => replica.proc.once('exit', () => resolve()));
  replica.proc.kill('SIGTERM');
  setTimeout(() => replica.proc.kill('SIGKILL'), 5000).unref();
  await exited;
}
