/**
 * Debian's redis-server (`/usr/bin/redis-server`, installed by scripts/test-all.sh when missing) on a free
 * loopback port, with nothing persisted, for the shared-cache tests: stop, pause, resume and restart it, and read
 * or overwrite its keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from '@keyv/redis';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** The commands the tests use. */
export interface RedisClient {
  on(event: 'error', listener: (err: unknown) => void): unknown;
  connect(): Promise<unknown>;
  destroy(): void;
  ping(): Promise<string>;
  keys(pattern: string): Promise<string[]>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  pTTL(key: string): Promise<number>;
  info(section?: string): Promise<string>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A redis-server process the test controls. */
export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  /** Starts redis-server on a free port and waits until it answers PING. */
  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.process = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      try {
        await this.command(async (c) => c.ping());
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(50);
      }
    }
  }

  /** Runs `fn` with a fresh client that fails at once rather than waiting for a paused or stopped server. */
  async command<T>(fn: (client: RedisClient) => Promise<T>): Promise<T> {
    const client: RedisClient = createClient({
      url: this.url,
      socket: { connectTimeout: 1000, reconnectStrategy: false },
      disableOfflineQueue: true,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await fn(client);
    } finally {
      client.destroy();
    }
  }

  /** Every key and its string value. */
  async dump(): Promise<Map<string, string | null>> {
    return this.command(async (c) => {
      const out = new Map<string, string | null>();
      for (const key of await c.keys('*')) out.set(key, await c.get(key));
      return out;
    });
  }

  /** How many GET commands the server has answered since it started. */
  async getCalls(): Promise<number> {
    const info = await this.command((c) => c.info('commandstats'));
    return Number(/cmdstat_get:calls=(\d+)/.exec(info)?.[1] ?? 0);
  }

  /** Stops the server (SIGTERM): its keys are gone, nothing is saved. */
  async stop(): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await exited;
  }

  /** Starts it again on the same port, empty. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** SIGSTOP: connections stay open, nothing is answered. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  /** SIGCONT after {@link pause}. */
  resume(): void {
    this.process?.kill('SIGCONT');
  }
}
