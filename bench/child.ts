import { spawn, type ChildProcess } from 'node:child_process';
import type { Usage } from './usage';

/** A benchmark process and what it printed after `READY ` (its port or URL). */
export interface Child {
  name: string;
  ready: string;
  /**
   * The process's own CPU time and memory (see bench/usage.ts); absent for processes the bench does not start with
   * startChild (redis, an external tinyauth). Rejects for a process that does not answer.
   */
  usage?(): Promise<Usage>;
  /** Runs V8's CPU profiler in the process until `stop` is called, which writes the profile to `file`. */
  profile?(file: string): Promise<{ stop(): Promise<void> }>;
  /** CPU time in µs of a process described by hand (NaN when unknown); startChild's children report usage() instead. */
  cpuMicros?(): number;
  stop(): Promise<void>;
}

/**
 * Starts `node -r ts-node/register/transpile-only <args>` with an IPC channel and waits for its `READY <value>` line.
 */
export function startChild(
  name: string,
  args: string[],
  { timeoutMs = 180_000, env }: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<Child> {
  const proc: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...env, NODE_ENV: 'production' },
  });
  // The channel must not keep the bench alive, and a child's exit must not crash it mid-send.
  proc.channel?.unref();
  proc.on('error', () => undefined);
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
    });
  /** Sends `request` and resolves with the first reply of the same type. */
  const ask = <T>(request: { type: string } & Record<string, unknown>): Promise<T> =>
    new Promise((resolve, reject) => {
      if (!proc.connected) return reject(new Error(`${name} has no IPC channel`));
      const timer = setTimeout(() => {
        proc.off('message', onMessage);
        reject(new Error(`${name} did not answer ${request.type}`));
      }, 10_000);
      const onMessage = (message: { type?: unknown }): void => {
        if (message?.type !== request.type) return;
        clearTimeout(timer);
        proc.off('message', onMessage);
        resolve(message as T);
      };
      proc.on('message', onMessage);
      proc.send(request);
    });
  const usage = async (): Promise<Usage> => (await ask<{ usage: Usage }>({ type: 'usage' })).usage;
  const profile = async (file: string): Promise<{ stop(): Promise<void> }> => {
    await ask({ type: 'profile', action: 'start' });
    return { stop: async () => void (await ask({ type: 'profile', action: 'stop', file })) };
  };
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
        resolve({ name, ready: match[1], stop, usage, profile });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready`));
    });
  });
}
