import { spawn, type ChildProcess } from 'node:child_process';

import { readFileSync } from 'node:fs';

/** A benchmark process and what it printed after `READY ` (its port or URL). */
export interface Child {
  name: string;
  ready: string;
  /** CPU time (user + system) the process has used so far, in microseconds; NaN where /proc is not available. */
  cpuMicros(): number;
  stop(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a Linux process from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function cpuMicrosOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** Starts `node -r ts-node/register/transpile-only <args>` and waits for its `READY <value>` line. */
export function startChild(name: string, args: string[], timeoutMs = 60_000): Promise<Child> {
  const proc: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
    });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /READY (\S+)\n/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolve({ name, ready: match[1], stop, cpuMicros: () => cpuMicrosOf(proc.pid) });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready`));
    });
  });
}
