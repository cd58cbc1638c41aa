import { Controller, Get, Module, Param, UseGuards, type Type } from '@nestjs/common';
import {
  RequireAction,
  TinyauthGuard,
  TinyauthModule,
  type Authorizer,
  type TinyauthModuleOptions,
} from 'nestjs-tinyauth';
import { TINYAUTH_AUTHORIZER } from '../../src/tinyauth.constants';
import { freezeClock, type FrozenClock } from '../helpers/frozen-clock';
import { ADAPTERS, startApp, type RunningApp } from '../helpers/http-apps';
import { startScriptedServer, type RecordedRequest, type ScriptedServer } from '../helpers/scripted-server';

const GOOD = `Basic ${Buffer.from('AKOK:ok-secret').toString('base64')}`;
const OTHER = `Basic ${Buffer.from('AKOTHER:other-secret').toString('base64')}`;
const BAD = `Basic ${Buffer.from('AKOK:wrong').toString('base64')}`;

@Controller('apples')
@UseGuards(TinyauthGuard)
class ApplesController {
  @Get(':name')
  @RequireAction('GetApple', 'apples', 'name')
  get(@Param('name') name: string): object {
    return { name };
  }
}

function appModule(options: Partial<TinyauthModuleOptions> & { endpoint: string }): Type<unknown> {
  @Module({
    imports: [
      TinyauthModule.forRoot({
        accessKeyId: 'AKSVC',
        secretAccessKey: 'svc-secret',
        service: 'test',
        mode: 'cached',
        ...options,
      }),
    ],
    controllers: [ApplesController],
  })
  class CachedAppModule {}
  return CachedAppModule;
}

interface AbtBody {
  permit: Record<string, string[]>;
  headers: Array<[string, string]>;
}

const header = (body: AbtBody, name: string): string | undefined =>
  body.headers.find(([n]) => n.toLowerCase() === name)?.[1];

/** A stand-in tinyauth: allows GOOD and any tinysess cookie on every apple except "secret", else denies. */
function decide(req: RecordedRequest): object {
  const body = JSON.parse(req.body) as AbtBody;
  const auth = header(body, 'authorization');
  const cookie = header(body, 'cookie') ?? '';
  const permit = body.permit;
  if (auth === BAD)
    return { Authorized: false, ErrorCode: 'InvalidSignature', Permitted: {}, NotPermitted: permit };
  if (auth !== GOOD && auth !== OTHER && !cookie.includes('tinysess=')) {
    return { Authorized: false, ErrorCode: 'UnsignedRequest', Permitted: {}, NotPermitted: permit };
  }
  const secret = Object.values(permit).some((arns) => arns.some((a) => a.endsWith('/secret')));
  if (secret) return { Authorized: false, ErrorCode: 'NotPermitted', Permitted: {}, NotPermitted: permit };
  return { Authorized: true, Identity: auth === OTHER ? 'other' : 'ok', Permitted: permit, NotPermitted: {} };
}

/** An (unsigned: the stand-in tinyauth does not verify) session token with the given `exp`, epoch seconds. */
function jwtWithExp(exp: number): string {
  const part = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ user: 'ok', mfa: false, exp, iat: exp - 3600 })}.sig`;
}

describe.each(ADAPTERS)('cached mode (%s)', (adapter) => {
  let tinyauth: ScriptedServer;
  let app: RunningApp;
  let clock: FrozenClock;
  let failing = false;
  let hold: Promise<void> | undefined;

  beforeAll(async () => {
    clock = freezeClock();
    tinyauth = await startScriptedServer(async (req, res) => {
      if (hold) await hold;
      if (failing) return void res.writeHead(500, { 'Content-Type': 'text/html' }).end('<p>boom</p>');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(decide(req)));
    });
    app = await startApp(adapter, appModule({ endpoint: tinyauth.url, cacheTtlMs: 400 }));
  });
  afterAll(async () => {
    await app.close();
    await tinyauth.close();
    clock.restore();
  });
  beforeEach(() => {
    tinyauth.requests.length = 0;
    failing = false;
    hold = undefined;
  });

  const get = async (path: string, headers: Record<string, string> = {}): Promise<number> =>
    (await fetch(`${app.url}${path}`, { headers })).status;

  it('answers a repeated allowed request from the cache, without a round trip', async () => {
    expect(await get('/apples/hit', { Authorization: GOOD })).toBe(200);
    expect(await get('/apples/hit', { Authorization: GOOD, 'User-Agent': 'another browser' })).toBe(200);
    expect(await get('/apples/hit', { Authorization: GOOD })).toBe(200);
    expect(tinyauth.requests).toHaveLength(1);
  });

  it('asks again for another credential, resource or source of credentials', async () => {
    await get('/apples/keyed', { Authorization: GOOD });
    await get('/apples/keyed', { Authorization: OTHER });
    await get('/apples/keyed-2', { Authorization: GOOD });
    await get('/apples/keyed', { Authorization: GOOD, 'X-CSRF-Token': 'x' });
    expect(tinyauth.requests).toHaveLength(4);
  });

  it('never caches denials', async () => {
    for (let i = 0; i < 3; i++) expect(await get('/apples/secret', { Authorization: GOOD })).toBe(403);
    for (let i = 0; i < 3; i++) expect(await get('/apples/fred', { Authorization: BAD })).toBe(401);
    expect(tinyauth.requests).toHaveLength(6);
  });

  it('never caches unavailability, and recovers at once', async () => {
    failing = true;
    expect(await get('/apples/flaky', { Authorization: GOOD })).toBe(503);
    expect(await get('/apples/flaky', { Authorization: GOOD })).toBe(503);
    failing = false;
    expect(await get('/apples/flaky', { Authorization: GOOD })).toBe(200);
    expect(tinyauth.requests).toHaveLength(3);
  });

  it('asks again exactly when the TTL has passed', async () => {
    expect(await get('/apples/ttl', { Authorization: GOOD })).toBe(200);
    clock.advance(399);
    expect(await get('/apples/ttl', { Authorization: GOOD })).toBe(200);
    expect(tinyauth.requests).toHaveLength(1);
    clock.advance(1);
    expect(await get('/apples/ttl', { Authorization: GOOD })).toBe(200);
    expect(tinyauth.requests).toHaveLength(2);
  });

  it('shares one round trip between identical requests in flight', async () => {
    // tinyauth answers only once all ten requests have reached the authorizer: each one found nothing cached
    // and joined the check in flight, whatever the machine's speed.
    const authorizer = app.app.get<Authorizer>(TINYAUTH_AUTHORIZER);
    const authorize = authorizer.authorize.bind(authorizer);
    let entered = 0;
    let allIn = (): void => undefined;
    hold = new Promise<void>((resolve) => (allIn = resolve));
    const spy = jest.spyOn(authorizer, 'authorize').mockImplementation((...args) => {
      const decision = authorize(...args);
      if (++entered === 10) allIn();
      return decision;
    });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 10 }, () => get('/apples/burst', { Authorization: GOOD })),
      );
      expect(statuses).toEqual(Array(10).fill(200));
      expect(entered).toBe(10);
      expect(tinyauth.requests).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe.each(ADAPTERS)('cached mode and session expiry (%s)', (adapter) => {
  it('never keeps an allow past the exp of the session token, to the millisecond', async () => {
    const clock = freezeClock();
    const tinyauth = await startScriptedServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(decide(req)));
    });
    const app = await startApp(adapter, appModule({ endpoint: tinyauth.url, cacheTtlMs: 600_000 }));
    try {
      const exp = clock.now() / 1000 + 60;
      const cookie = `tinysess=${jwtWithExp(exp)}`;
      expect((await fetch(`${app.url}/apples/fred`, { headers: { Cookie: cookie } })).status).toBe(200);
      clock.set(exp * 1000 - 1);
      expect((await fetch(`${app.url}/apples/fred`, { headers: { Cookie: cookie } })).status).toBe(200);
      expect(tinyauth.requests).toHaveLength(1);
      clock.set(exp * 1000);
      await fetch(`${app.url}/apples/fred`, { headers: { Cookie: cookie } });
      expect(tinyauth.requests).toHaveLength(2);
    } finally {
      await app.close();
      await tinyauth.close();
      clock.restore();
    }
  });
});
