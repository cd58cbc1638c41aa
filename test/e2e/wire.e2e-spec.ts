import { request as httpRequest } from 'node:http';
import { Controller, Get, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Public, RequireAction, TinyauthGuard, TinyauthModule } from 'nestjs-tinyauth';
import { ADAPTERS, startApp, type AdapterName, type RunningApp } from '../helpers/http-apps';
import { guardAppModule } from '../helpers/guard-app';
import { SERVICE_KEY, basic } from '../helpers/guard-fixture';
import { allowAll, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server';
import { loadHttpExchanges } from '../helpers/conformance';

/** Sends raw header pairs so repeated headers reach the app as separate lines. */
function rawGet(url: string, headers: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const recordedDateTime = (): string => {
  const exchange = loadHttpExchanges().exchanges.find((e) => e.group === 'authorize-by-token');
  const context = (exchange?.request.json as { context: { RequestDateTime: string } }).context;
  return context.RequestDateTime;
};

describe.each(ADAPTERS)('what goes over the wire (%s)', (adapter) => {
  let tinyauth: ScriptedServer;
  let app: RunningApp;

  beforeAll(async () => {
    tinyauth = await startScriptedServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(allowAll(req));
    });
    // No trailing slash: the client must add it.
    const endpoint = tinyauth.url.replace(/\/$/, '');
    app = await startApp(
      adapter,
      guardAppModule({
        endpoint,
        accessKeyId: SERVICE_KEY.id,
        secretAccessKey: SERVICE_KEY.secret,
        service: 'test',
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    await tinyauth.close();
  });

  it('sends exactly what flask_tinyauth sends, batched', async () => {
    tinyauth.requests.length = 0;
    const status = await rawGet(`${app.url}/apples/fred`, [
      'Host',
      new URL(app.url).host,
      'Authorization',
      'Basic dXNlcjpwYXNz',
      'X-Repeat',
      'one',
      'X-Repeat',
      'two',
      'Cookie',
      'tinysess=abc',
    ]);
    expect(status).toBe(200);
    expect(tinyauth.requests).toHaveLength(1);
    const [sent] = tinyauth.requests;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/api/v1/services/test/authorize-by-token');
    expect(sent.headers.authorization).toBe(basic(SERVICE_KEY));
    expect(sent.headers.accept).toBe('application/json');
    expect(sent.headers['content-type']).toBe('application/json');
    const body = JSON.parse(sent.body) as {
      permit: unknown;
      headers: Array<[string, string]>;
      context: Record<string, unknown>;
      region?: unknown;
    };
    expect(Object.keys(body).sort()).toEqual(['context', 'headers', 'permit']);
    expect(body.permit).toEqual({ GetApple: ['arn:tinyauth:test:default::apples/fred'] });
    expect(body.headers).toEqual(
      expect.arrayContaining([
        ['Authorization', 'Basic dXNlcjpwYXNz'],
        ['X-Repeat', 'one'],
        ['X-Repeat', 'two'],
        ['Cookie', 'tinysess=abc'],
      ]),
    );
    expect(body.headers.findIndex(([n]) => n === 'X-Repeat')).toBeLessThan(
      body.headers.findLastIndex(([n]) => n === 'X-Repeat'),
    );
    expect(Object.keys(body.context).sort()).toEqual(['RequestDateTime', 'SourceIp']);
    expect(body.context.SourceIp).toBe('127.0.0.1');
    // Same shape as the recorded flask_tinyauth body: naive UTC ISO-8601 with microseconds.
    const shape = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;
    expect(recordedDateTime()).toMatch(shape);
    expect(body.context.RequestDateTime).toMatch(shape);
    const sentAt = Date.parse(`${String(body.context.RequestDateTime).slice(0, 23)}Z`);
    expect(Math.abs(Date.now() - sentAt)).toBeLessThan(60_000);
  });
});

async function trustingApp(adapter: AdapterName, endpoint: string): Promise<RunningApp> {
  const module = guardAppModule({ endpoint, accessKeyId: 'AK', secretAccessKey: 'S', service: 'test' });
  if (adapter === 'fastify') {
    const app = await NestFactory.create(module, new FastifyAdapter({ trustProxy: true }), { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
  }
  const app = await NestFactory.create<NestExpressApplication>(module, { logger: false });
  app.set('trust proxy', true);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

describe.each(ADAPTERS)('SourceIp and trust proxy (%s)', (adapter) => {
  let tinyauth: ScriptedServer;
  beforeAll(async () => {
    tinyauth = await startScriptedServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(allowAll(req));
    });
  });
  afterAll(() => tinyauth.close());

  const sourceIp = () =>
    (JSON.parse(tinyauth.requests[tinyauth.requests.length - 1].body) as { context: { SourceIp: string } })
      .context.SourceIp;

  it('ignores X-Forwarded-For unless the app trusts its proxy', async () => {
    const app = await startApp(
      adapter,
      guardAppModule({ endpoint: tinyauth.url, accessKeyId: 'AK', secretAccessKey: 'S', service: 'test' }),
    );
    await fetch(`${app.url}/apples/fred`, { headers: { 'X-Forwarded-For': '10.1.2.3' } });
    expect(sourceIp()).toBe('127.0.0.1');
    await app.close();
  });

  it('uses the forwarded address when the app trusts its proxy', async () => {
    const app = await trustingApp(adapter, tinyauth.url);
    await fetch(`${app.url}/apples/fred`, { headers: { 'X-Forwarded-For': '10.1.2.3' } });
    expect(sourceIp()).toBe('10.1.2.3');
    await app.close();
  });
});

@Controller()
class GlobalGuardController {
  @Get('open')
  @Public()
  open(): string {
    return 'open';
  }

  @Get('closed')
  closed(): string {
    return 'closed';
  }

  @Get('checked')
  @RequireAction('ListApples', 'apples')
  checked(): string {
    return 'checked';
  }
}

describe.each(ADAPTERS)('TinyauthGuard as a global APP_GUARD (%s)', (adapter) => {
  it('guards every route of the app', async () => {
    const tinyauth = await startScriptedServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(allowAll(req));
    });
    @Module({
      imports: [
        TinyauthModule.forRoot({
          endpoint: tinyauth.url,
          accessKeyId: 'AK',
          secretAccessKey: 'S',
          service: 'test',
        }),
      ],
      controllers: [GlobalGuardController],
      providers: [{ provide: APP_GUARD, useClass: TinyauthGuard }],
    })
    class GlobalModule {}
    const app = await startApp(adapter, GlobalModule);
    try {
      expect((await fetch(`${app.url}/open`)).status).toBe(200);
      expect((await fetch(`${app.url}/closed`)).status).toBe(403);
      expect((await fetch(`${app.url}/checked`)).status).toBe(200);
      expect(tinyauth.requests).toHaveLength(1);
    } finally {
      await app.close();
      await tinyauth.close();
    }
  });
});
