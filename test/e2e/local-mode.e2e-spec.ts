import { Controller, Get, Module, Param, UseGuards, type Type } from '@nestjs/common';
import { RequireAction, TinyauthGuard, TinyauthModule, type TinyauthModuleOptions } from 'nestjs-tinyauth';
import { demoFixture, startTinyauthServer, type Fixture, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { freezeClock, type FrozenClock } from '../helpers/frozen-clock';
import { ADAPTERS, startApp, type RunningApp } from '../helpers/http-apps';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server';

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const READER = basic('AKREADER', 'reader-secret');

@Controller('apples')
@UseGuards(TinyauthGuard)
class ApplesController {
  @Get()
  @RequireAction('ListApples', 'apples')
  list(): object {
    return { apples: [] };
  }

  @Get(':name')
  @RequireAction('GetApple', 'apples', 'name')
  get(@Param('name') name: string): object {
    return { name };
  }

  @Get(':name/delete')
  @RequireAction('DeleteApple', 'apples', 'name')
  remove(@Param('name') name: string): object {
    return { deleted: name };
  }
}

function appModule(options: Partial<TinyauthModuleOptions> & { endpoint: string }): Type<unknown> {
  @Module({
    imports: [
      TinyauthModule.forRoot({
        accessKeyId: 'AKSAMPLESERVICE',
        secretAccessKey: 'sample-service-secret',
        service: 'apples',
        mode: 'local',
        ...options,
      }),
    ],
    controllers: [ApplesController],
  })
  class LocalAppModule {}
  return LocalAppModule;
}

/** A fixture whose policy raises in tinyauth (unknown condition operator) for one action. */
const brokenPolicyFixture: Fixture = {
  ...demoFixture,
  users: [
    ...(demoFixture.users ?? []),
    {
      username: 'odd',
      password: null,
      access_keys: [['AKODD', 'odd-secret']],
      policies: [
        {
          name: 'odd',
          policy: {
            Statement: [
              { Action: 'apples:List*', Effect: 'Allow', Resource: '*' },
              {
                Action: 'apples:Get*',
                Effect: 'Allow',
                Resource: '*',
                Condition: { Bogus: { SourceIp: 'x' } },
              },
            ],
          },
        },
      ],
    },
  ],
};

/**
 * Between the app and the compatible server: counts what the app asks, can cut every cache lifetime short
 * (`maxAge`) and can play dead (`down`: connections are reset).
 */
interface Proxy extends ScriptedServer {
  down: boolean;
  maxAge?: number;
  paths(): string[];
}

async function startProxy(target: string): Promise<Proxy> {
  const state: { down: boolean; maxAge?: number } = { down: false };
  const server = await startScriptedServer(async (req, res) => {
    if (state.down) return void res.destroy();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
    }
    const answer = await fetch(new URL(req.url.replace(/^\//, ''), target), {
      method: req.method,
      headers,
      body: req.method === 'GET' ? undefined : req.body,
    });
    const out: Record<string, string> = {
      'content-type': answer.headers.get('content-type') ?? 'text/plain',
    };
    const cacheControl = answer.headers.get('cache-control');
    if (cacheControl !== null)
      out['cache-control'] = state.maxAge === undefined ? cacheControl : `max-age=${state.maxAge}`;
    res.writeHead(answer.status, out).end(await answer.text());
  });
  // defineProperties, not Object.assign: the flags must stay live accessors of `state`.
  return Object.defineProperties(server as Proxy, {
    down: { get: () => state.down, set: (v: boolean) => (state.down = v) },
    maxAge: { get: () => state.maxAge, set: (v: number | undefined) => (state.maxAge = v) },
    paths: {
      value: () =>
        server.requests.map((r) => r.url.replace(/^\/api\/v1\/(regions\/global\/)?services\/apples\//, '')),
    },
  });
}

describe.each(ADAPTERS)('local mode (%s)', (adapter) => {
  let tinyauth: TinyauthServer;
  let proxy: Proxy;
  let app: RunningApp;
  let clock: FrozenClock;

  beforeAll(async () => {
    // Everything in this process (the app's caches, the compatible server's tokens) reads this clock.
    clock = freezeClock();
    tinyauth = await startTinyauthServer({ fixture: brokenPolicyFixture });
    proxy = await startProxy(tinyauth.url);
    app = await startApp(
      adapter,
      appModule({ endpoint: proxy.url, maxStaleMs: 2000, negativeCacheTtlMs: 500 }),
    );
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await tinyauth.close();
    clock.restore();
  });
  beforeEach(() => {
    proxy.requests.length = 0;
    proxy.down = false;
    proxy.maxAge = undefined;
  });

  const call = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** A session token for reader, minted by the compatible server (on the frozen clock). */
  const readerSession = async (): Promise<string> => {
    const res = await fetch(`${tinyauth.url}api/v1/services/apples/get-token-for-login`, {
      method: 'POST',
      headers: {
        Authorization: basic('AKSAMPLESERVICE', 'sample-service-secret'),
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ username: 'reader', password: 'reader-pass', 'csrf-strategy': 'cookie' }),
    });
    return ((await res.json()) as { token: string }).token;
  };

  it('decides locally after fetching the key and the policy once', async () => {
    expect((await call('/apples', { Authorization: READER })).status).toBe(200);
    expect((await call('/apples/fred', { Authorization: READER })).status).toBe(200);
    expect(await call('/apples/fred/delete', { Authorization: READER })).toEqual({
      status: 403,
      body: { Authorized: false, ErrorCode: 'NotPermitted' },
    });
    expect(proxy.paths()).toEqual([
      expect.stringMatching(/^access-key-signing-tokens\/AKREADER\/basic-auth\/\d{8}$/),
      'user-policies/reader',
    ]);
  });

  it('denies a wrong secret and no credentials exactly as tinyauth would', async () => {
    expect(await call('/apples', { Authorization: basic('AKREADER', 'wrong') })).toEqual({
      status: 401,
      body: { Authorized: false, ErrorCode: 'InvalidSignature' },
    });
    expect((await call('/apples')).body.ErrorCode).toBe('UnsignedRequest');
    expect(proxy.paths().filter((p) => p.includes('authorize-by-token'))).toEqual([]);
  });

  it('remembers unknown keys briefly (negative cache), then asks again', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await call('/apples', { Authorization: basic('AKNOPE', 'x') })).body.ErrorCode).toBe(
        'NoSuchKey',
      );
    }
    clock.advance(499);
    await call('/apples', { Authorization: basic('AKNOPE', 'x') });
    expect(proxy.paths().filter((p) => p.includes('AKNOPE'))).toHaveLength(1);
    clock.advance(1); // negativeCacheTtlMs (500) has passed
    await call('/apples', { Authorization: basic('AKNOPE', 'x') });
    expect(proxy.paths().filter((p) => p.includes('AKNOPE'))).toHaveLength(2);
  });

  it('sends what it cannot decide to tinyauth: a policy error (500 there) fails closed with 503', async () => {
    const odd = basic('AKODD', 'odd-secret');
    expect((await call('/apples', { Authorization: odd })).status).toBe(200);
    expect(await call('/apples/fred', { Authorization: odd })).toEqual({
      status: 503,
      body: { Authorized: false, ErrorCode: 'TinyauthUnavailable' },
    });
    expect(proxy.paths().filter((p) => p === 'authorize-by-token')).toHaveLength(1);
  });

  it('sends a session cookie that is not a JWT to tinyauth (which answers 500): 503', async () => {
    expect((await call('/apples', { Cookie: 'tinysess=garbage' })).status).toBe(503);
    expect(proxy.paths()).toEqual(['authorize-by-token']);
  });

  it('serves stale keys and policies while tinyauth is down, but never beyond maxStaleMs', async () => {
    proxy.maxAge = 1;
    const admin = basic('AKADMIN', 'admin-secret');
    expect((await call('/apples/stale', { Authorization: admin })).status).toBe(200);
    proxy.down = true;
    clock.advance(1000); // entries expired (max-age=1) but within maxStaleMs (2 s)
    expect((await call('/apples/stale', { Authorization: admin })).status).toBe(200);
    clock.advance(1999); // the last millisecond of maxStaleMs
    expect((await call('/apples/stale/delete', { Authorization: admin })).status).toBe(200);
    clock.advance(1); // now beyond expiry + maxStaleMs
    expect(await call('/apples/stale', { Authorization: admin })).toEqual({
      status: 503,
      body: { Authorized: false, ErrorCode: 'TinyauthUnavailable' },
    });
    proxy.down = false;
    expect((await call('/apples/stale', { Authorization: admin })).status).toBe(200);
  });

  it('never accepts a verified session past its exp, though verified credentials are reused for 60 s', async () => {
    const token = await readerSession();
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number };
    const session = { Cookie: `tinysess=${token}` };
    clock.set(exp * 1000 - 30_000); // verified here, so the memo would otherwise hold it until exp + 30 s
    expect((await call('/apples', session)).status).toBe(200);
    clock.set(exp * 1000 - 1);
    expect((await call('/apples', session)).status).toBe(200);
    clock.set(exp * 1000);
    expect((await call('/apples', session)).status).toBe(401);
  });

  it('refuses a session whose signature was cut short or removed', async () => {
    const token = await readerSession();
    expect((await call('/apples', { Cookie: `tinysess=${token}` })).status).toBe(200);
    const unsigned = token.slice(0, token.lastIndexOf('.') + 1);
    for (const forged of [unsigned, `${unsigned}${token.split('.')[2].slice(0, 10)}`]) {
      expect(await call('/apples', { Cookie: `tinysess=${forged}` })).toEqual({
        status: 401,
        body: { Authorized: false, ErrorCode: 'InvalidSignature' },
      });
    }
  });
});
