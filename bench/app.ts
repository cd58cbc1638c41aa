/**
 * One benchmark app in its own process: `node -r ts-node/register/transpile-only bench/app.ts <adapter> <variant>
 * <tinyauth-url>`. Prints `READY <port>` once listening.
 */
import 'reflect-metadata';
import { Controller, Get, Module, Req, UseGuards, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Pool } from 'undici';
import { RequireAction, TinyauthGuard, TinyauthModule, requestFacts, type HttpRequestLike } from '../src';
import { BENCH_SERVICE_KEY, type AdapterName, type Variant } from './variants';

const [adapter, variant, tinyauthUrl] = process.argv.slice(2) as [AdapterName, Variant, string];

@Controller()
class BareController {
  @Get('bench')
  bench(): object {
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

function tinyauthModule(mode: 'remote' | 'cached' | 'local'): DynamicModule {
  return TinyauthModule.forRoot({
    endpoint: tinyauthUrl,
    accessKeyId: BENCH_SERVICE_KEY.id,
    secretAccessKey: BENCH_SERVICE_KEY.secret,
    service: 'apples',
    mode,
  });
}

function appModule(): Type<unknown> {
  const modes = { remote: 'remote', cached: 'cached', local: 'local' } as const;
  const imports = variant in modes ? [tinyauthModule(modes[variant as keyof typeof modes])] : [];
  const controllers =
    variant === 'bare'
      ? [BareController]
      : variant === 'raw-undici'
        ? [RawUndiciController]
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
  process.stdout.write(`READY ${port}\n`);
  const stop = (): void => {
    void app.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
