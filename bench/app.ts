/**
 * One benchmark app in its own process: `node -r ts-node/register/transpile-only bench/app.ts <adapter> <variant>
 * <tinyauth-url> [<redis-url>]`. Prints `READY <port>` once listening. The `cached-shared` and `local-shared` variants
 * are `cached` and `local` with the shared tier on Redis (Keyv + @keyv/redis) at `<redis-url>`.
 */
import 'reflect-metadata';
import {
  Controller,
  Get,
  Inject,
  Module,
  Req,
  UseGuards,
  type DynamicModule,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import { Pool } from 'undici';
import { RequireAction, TinyauthGuard, TinyauthModule, type Authorizer } from '../src';
import { CachedAuthorizer } from '../src/authorizer/cached.authorizer';
import { TINYAUTH_AUTHORIZER } from '../src/tinyauth.constants';
import { requestFacts, type HttpRequestLike } from '../src/request/request-facts';
import { answerProfileRequests, answerUsageRequests } from './usage';
import { BENCH_SERVICE_KEY, type AdapterName, type Variant } from './variants';

const [adapter, variant, tinyauthUrl, redisUrl] = process.argv.slice(2) as [
  AdapterName,
  Variant,
  string,
  string | undefined,
];

@Controller()
class BareController {
  @Get('bench')
  bench(): object {
    return { ok: true };
  }

  /** The same route shape as the guarded one, for scenarios that spread their load over names. */
  @Get('bench/:name')
  apple(): object {
    return { ok: true };
  }
}

@Controller()
@UseGuards(TinyauthGuard)
class GuardedController {
  @Get('bench')
  @RequireAction('ListApples', 'apples')
  bench(): object {
    return { ok: true };
  }

  /** One decision per apple name: the replicas scenario spreads its load over many names. */
  @Get('bench/:name')
  @RequireAction('GetApple', 'apples', 'name')
  apple(): object {
    return { ok: true };
  }
}

/** The decision cache's counters, for the replicas scenario (none in local mode). */
@Controller()
class StatsController {
  constructor(@Inject(TINYAUTH_AUTHORIZER) private readonly authorizer: Authorizer) {}

  @Get('stats')
  stats(): object {
    return this.authorizer instanceof CachedAuthorizer ? this.authorizer.stats() : {};
  }
}

const pool = new Pool(new URL(tinyauthUrl).origin, { keepAliveTimeout: 30_000 });
const serviceAuthorization = `Basic ${Buffer.from(`${BENCH_SERVICE_KEY.id}:${BENCH_SERVICE_KEY.secret}`).toString('base64')}`;
const abtPath = `${new URL(tinyauthUrl).pathname}api/v1/services/apples/authorize-by-token`;

/** The floor for `remote`: the same authorize-by-token body, sent with undici directly from the handler. */
@Controller()
class RawUndiciController {
  @Get('bench')
  async bench(@Req() req: HttpRequestLike): Promise<object> {
    const facts = requestFacts(req);
    const body = JSON.stringify({
      permit: { ListApples: ['arn:tinyauth:apples:default::apples/'] },
      headers: facts.headers,
      context: { SourceIp: facts.sourceIp, RequestDateTime: new Date().toISOString() },
    });
    const res = await pool.request({
      path: abtPath,
      method: 'POST',
      headers: {
        authorization: serviceAuthorization,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body,
    });
    const answer = (await res.body.json()) as { Authorized?: boolean };
    return { ok: answer.Authorized === true };
  }
}

/** Redis through Keyv, as the README shows it. */
function redisStore(url: string): Keyv {
  const client = createClient({ url, socket: { reconnectStrategy: () => 100 }, disableOfflineQueue: true });
  client.on('error', () => undefined);
  const keyv = new Keyv({ store: new KeyvRedis(client, { throwOnErrors: true }), throwOnErrors: true });
  keyv.on('error', () => undefined);
  return keyv;
}

const storeTimeout = process.env.BENCH_STORE_TIMEOUT_MS
  ? { timeoutMs: Number(process.env.BENCH_STORE_TIMEOUT_MS) }
  : {};

function tinyauthModule(mode: 'remote' | 'cached' | 'local', shared: boolean): DynamicModule {
  return TinyauthModule.forRoot({
    ...(variant === 'remote-undici' ? { httpClient: 'undici' as const } : {}),
    endpoint: tinyauthUrl,
    accessKeyId: BENCH_SERVICE_KEY.id,
    secretAccessKey: BENCH_SERVICE_KEY.secret,
    service: 'apples',
    mode,
    ...(process.env.BENCH_CACHE_TTL_MS ? { cacheTtlMs: Number(process.env.BENCH_CACHE_TTL_MS) } : {}),
    ...(process.env.BENCH_CACHE_MAX_ENTRIES
      ? { cacheMaxEntries: Number(process.env.BENCH_CACHE_MAX_ENTRIES) }
      : {}),
    ...(shared && redisUrl ? { sharedCache: { store: redisStore(redisUrl), ...storeTimeout } } : {}),
  });
}

function appModule(): Type<unknown> {
  const modes = {
    remote: 'remote',
    'remote-undici': 'remote',
    cached: 'cached',
    local: 'local',
    'cached-shared': 'cached',
    'local-shared': 'local',
  } as const;
  const imports =
    variant in modes
      ? [tinyauthModule(modes[variant as keyof typeof modes], variant.endsWith('-shared'))]
      : [];
  const controllers =
    variant === 'bare'
      ? [BareController]
      : variant === 'raw-undici'
        ? [RawUndiciController]
        : variant !== 'remote'
          ? [GuardedController, StatsController]
          : [GuardedController];
  @Module({ imports, controllers })
  class BenchModule {}
  return BenchModule;
}

async function main(): Promise<void> {
  const module = appModule();
  const app =
    adapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger: ['error'] })
      : await NestFactory.create(module, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  answerUsageRequests();
  answerProfileRequests();
  process.stdout.write(`READY ${port}\n`);
  const stop = (): void => {
    void app.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
