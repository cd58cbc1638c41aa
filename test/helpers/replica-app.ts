/**
 * One replica of a service in its own process, for the shared-cache tests: `node -r ts-node/register/transpile-only
 * test/helpers/replica-app.ts` with REPLICA_ADAPTER (express | fastify), TINYAUTH_URL, REDIS_URL, CACHE_TTL_MS,
 * CHECK_MS, STORE_TIMEOUT_MS, STORE (keyv | cache-manager) and MODE (cached, the default, | local). The shared tier on Redis
 * through Keyv + @keyv/redis (or cache-manager over the same Keyv), configured in forRootAsync: decisions in `cached`
 * mode, fetched signing keys and policies in `local` mode. Prints `READY <port>`.
 *
 * Routes: GET /apples/:name (GetApple, guarded), GET /stats (the decision cache's counters; `{}` in local mode),
 * POST /invalidate[?identity=]
 * (TinyauthService.invalidateCachedDecisions).
 */
import 'reflect-metadata';
import { Controller, Get, HttpCode, Inject, Module, Param, Post, Query, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import KeyvRedis, { createClient } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import {
  Public,
  RequireAction,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
  TinyauthService,
  type Authorizer,
} from '../../src';
import { CachedAuthorizer } from '../../src/authorizer/cached.authorizer';
import { TINYAUTH_AUTHORIZER } from '../../src/tinyauth.constants';
import { SERVICE_KEY } from './guard-fixture';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

@Controller()
@UseGuards(TinyauthGuard)
class ReplicaController {
  constructor(
    private readonly tinyauth: TinyauthService,
    @Inject(TINYAUTH_AUTHORIZER) private readonly authorizer: Authorizer,
  ) {}

  @Get('apples/:name')
  @RequireAction('GetApple', 'apples', 'name')
  get(@Param('name') name: string, @TinyauthIdentity() who: string): object {
    return { name, who };
  }

  @Get('stats')
  @Public()
  stats(): object {
    return this.authorizer instanceof CachedAuthorizer ? this.authorizer.stats() : {};
  }

  @Post('invalidate')
  @Public()
  @HttpCode(200)
  async invalidate(@Query('identity') identity?: string): Promise<object> {
    try {
      await this.tinyauth.invalidateCachedDecisions(identity || undefined);
      return { recorded: true };
    } catch {
      return { recorded: false };
    }
  }
}

/** The Redis-backed store, as an application would build it: short reconnects, no offline queue. */
function sharedStore(): {
  get(key: string): Promise<unknown>;
  set(k: string, v: string, t?: number): Promise<unknown>;
} {
  const client = createClient({
    url: env('REDIS_URL'),
    socket: { connectTimeout: 500, reconnectStrategy: () => 100 },
    disableOfflineQueue: true,
  });
  client.on('error', () => undefined);
  const keyv = new Keyv({ store: new KeyvRedis(client, { throwOnErrors: true }), throwOnErrors: true });
  keyv.on('error', () => undefined);
  return process.env.STORE === 'cache-manager' ? createCache({ stores: [keyv] }) : keyv;
}

@Module({
  imports: [
    TinyauthModule.forRootAsync({
      useFactory: () => ({
        endpoint: env('TINYAUTH_URL'),
        accessKeyId: SERVICE_KEY.id,
        secretAccessKey: SERVICE_KEY.secret,
        service: 'test',
        mode: process.env.MODE === 'local' ? 'local' : 'cached',
        cacheTtlMs: Number(env('CACHE_TTL_MS')),
        sharedCache: {
          store: sharedStore(),
          invalidationCheckMs: Number(env('CHECK_MS')),
          // Generous on a shared test machine: a timeout is only ever a miss, but a miss changes the call counts.
          timeoutMs: Number(process.env.STORE_TIMEOUT_MS ?? 50),
        },
      }),
    }),
  ],
  controllers: [ReplicaController],
})
class ReplicaModule {}

async function main(): Promise<void> {
  const app =
    process.env.REPLICA_ADAPTER === 'fastify'
      ? await NestFactory.create(ReplicaModule, new FastifyAdapter(), { logger: ['error', 'warn'] })
      : await NestFactory.create(ReplicaModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`READY ${port}\n`);
  const stop = (): void => {
    void app.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
