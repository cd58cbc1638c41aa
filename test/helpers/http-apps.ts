import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/** Options of the Fastify instance (e.g. `trustProxy`), for tests that need one. */
export type FastifyInstanceOptions = ConstructorParameters<typeof FastifyAdapter>[0];

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];

/** A Nest app listening on an ephemeral loopback port, reached over real HTTP. */
export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** Starts `module` on the given adapter; `logger: false` unless a test wants to read the logs. */
export async function startApp(
  adapter: AdapterName,
  module: Type<unknown>,
  options: {
    logger?: LoggerService | false;
    setup?: (app: INestApplication) => void;
    fastify?: FastifyInstanceOptions;
  } = {},
): Promise<RunningApp> {
  const app =
    adapter === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(options.fastify), {
          logger: options.logger ?? false,
          abortOnError: false,
        })
      : await NestFactory.create(module, { logger: options.logger ?? false, abortOnError: false });
  options.setup?.(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** Collects log lines so tests can assert what was (and was not) logged. */
export class MemoryLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(`LOG ${String(message)}`);
  }
  error(message: unknown): void {
    this.lines.push(`ERROR ${String(message)}`);
  }
  warn(message: unknown): void {
    this.lines.push(`WARN ${String(message)}`);
  }
  debug(): void {}
  verbose(): void {}
}
