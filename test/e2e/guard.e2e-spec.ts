import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthorizationFailed } from 'nestjs-tinyauth';
import { startTinyauthServer } from 'nestjs-tinyauth/testing';
import { ADAPTERS, MemoryLogger, startApp, type RunningApp } from '../helpers/http-apps';
import { guardAppModule } from '../helpers/guard-app';
import {
  ALICE_KEY,
  BOB_KEY,
  serviceOptions,
  basic,
  guardFixture,
  sessionCookie,
} from '../helpers/guard-fixture';
import {
  allowAll,
  closedPortUrl,
  startRecordingProxy,
  startScriptedServer,
  type ScriptedServer,
} from '../helpers/scripted-server';

type Tinyauth = { url: string; close(): Promise<void> };

const options = serviceOptions;

async function call(app: RunningApp, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(`${app.url}${path}`, { method, headers, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Collects every authorize-by-token body the proxy saw. */
const decisions = (proxy: ScriptedServer) =>
  proxy.requests
    .filter((r) => r.url.endsWith('/authorize-by-token'))
    .map((r) => JSON.parse(r.body) as { permit: Record<string, string[]> });

let tinyauth: Tinyauth;
let proxy: ScriptedServer;

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: guardFixture });
  proxy = await startRecordingProxy(tinyauth.url);
});
afterAll(async () => {
  await proxy.close();
  await tinyauth.close();
});

describe.each(ADAPTERS)('TinyauthGuard over real HTTP on %s', (adapter) => {
  let app: RunningApp;
  let aliceSession: string;

  beforeAll(async () => {
    app = await startApp(adapter, guardAppModule(options(proxy.url)));
    aliceSession = await sessionCookie(tinyauth.url, 'alice', 'alice-pass');
  });
  afterAll(() => app.close());
  beforeEach(() => {
    proxy.requests.length = 0;
  });

  it('allows an access key (Basic) with the permission and injects the identity', async () => {
    const res = await call(app, '/apples/fred', { Authorization: basic(ALICE_KEY) });
    expect(res).toMatchObject({ status: 200, json: { name: 'fred', who: 'alice' } });
  });

  it('allows a session cookie minted by get-token-for-login', async () => {
    const res = await call(app, '/apples', { Cookie: aliceSession });
    expect(res).toMatchObject({ status: 200, json: { apples: ['fred'], who: 'alice' } });
  });

  it('answers 401 InvalidSignature for a wrong secret, never echoing credentials', async () => {
    const res = await call(app, '/apples/fred', {
      Authorization: basic({ id: ALICE_KEY.id, secret: 'wrong' }),
    });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ Authorized: false, ErrorCode: 'InvalidSignature' });
  });

  it('answers 401 NoSuchKey for an unknown key', async () => {
    const res = await call(app, '/apples/fred', { Authorization: basic({ id: 'AKNOBODY', secret: 'x' }) });
    expect(res).toMatchObject({ status: 401, json: { Authorized: false, ErrorCode: 'NoSuchKey' } });
  });

  it('answers 401 UnsignedRequest without credentials', async () => {
    const res = await call(app, '/apples/fred');
    expect(res).toMatchObject({ status: 401, json: { Authorized: false, ErrorCode: 'UnsignedRequest' } });
  });

  it('redirects an unauthenticated GET or HEAD of a @RedirectToLogin() page, but answers any other method 401', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${app.url}/page`, { method, redirect: 'manual' });
      expect([method, res.status, res.headers.get('location')]).toEqual([method, 302, '/login?next=%2Fpage']);
    }
    // A redirect would turn the submission into a GET of the login page and drop what was posted.
    const post = await call(app, '/page', {}, 'POST');
    expect(post).toMatchObject({ status: 401, json: { Authorized: false, ErrorCode: 'UnsignedRequest' } });
    const forbidden = await call(app, '/page', { Authorization: basic(ALICE_KEY) }, 'POST');
    expect(forbidden).toMatchObject({ status: 403, json: { ErrorCode: 'NotPermitted' } });
  });

  it('answers 403 NotPermitted when the policy does not allow', async () => {
    const res = await call(app, '/apples', { Authorization: basic(BOB_KEY) });
    expect(res).toMatchObject({ status: 403, json: { Authorized: false, ErrorCode: 'NotPermitted' } });
  });

  it('answers 403 for an explicit Deny even where an Allow also matches', async () => {
    const res = await call(app, '/apples/rotten', { Authorization: basic(ALICE_KEY) });
    expect(res).toMatchObject({ status: 403, json: { ErrorCode: 'NotPermitted' } });
  });

  it('checks the route parameter resource', async () => {
    await call(app, '/apples/granny%20smith', { Authorization: basic(ALICE_KEY) });
    expect(decisions(proxy)[0].permit).toEqual({
      GetApple: ['arn:tinyauth:test:default::apples/granny smith'],
    });
  });

  it('uses the base ARN when there is no resource class', async () => {
    const res = await call(app, '/apples/ping/base', { Authorization: basic(ALICE_KEY) });
    expect(res).toMatchObject({ status: 200, json: { who: 'alice' } });
    expect(decisions(proxy)[0].permit).toEqual({ Ping: ['arn:tinyauth:test:default::'] });
  });

  it('sends several actions on one handler in one call, and all are required', async () => {
    const ok = await call(app, '/apples/fred/eat', { Authorization: basic(ALICE_KEY) }, 'POST');
    expect(ok.status).toBe(201);
    expect(decisions(proxy)).toHaveLength(1);
    expect(decisions(proxy)[0].permit).toEqual({
      GetApple: ['arn:tinyauth:test:default::apples/fred'],
      EatApple: ['arn:tinyauth:test:default::apples/fred'],
    });
    proxy.requests.length = 0;
    const bob = await call(app, '/apples/fred/eat', { Authorization: basic(BOB_KEY) }, 'POST');
    expect(bob).toMatchObject({ status: 403, json: { ErrorCode: 'NotPermitted' } });
    expect(decisions(proxy)).toHaveLength(1);
  });

  it('requires class-level and method-level actions together', async () => {
    const ok = await call(app, '/orchards/oak', { Authorization: basic(ALICE_KEY) });
    expect(ok).toMatchObject({ status: 200, json: { tree: 'oak', who: 'alice' } });
    expect(decisions(proxy)[0].permit).toEqual({
      EnterOrchard: ['arn:tinyauth:test:default::orchards/'],
      PickFrom: ['arn:tinyauth:test:default::trees/oak'],
    });
    const bob = await call(app, '/orchards/oak', { Authorization: basic(BOB_KEY) });
    expect(bob.status).toBe(403);
  });

  it('checks every resource a function selects, in one call', async () => {
    const ok = await call(app, '/apples/batch/select?names=fred,jim', { Authorization: basic(ALICE_KEY) });
    expect(ok.status).toBe(200);
    expect(decisions(proxy)).toHaveLength(1);
    expect(decisions(proxy)[0].permit).toEqual({
      GetApple: ['arn:tinyauth:test:default::apples/fred', 'arn:tinyauth:test:default::apples/jim'],
    });
    const denied = await call(app, '/apples/batch/select?names=fred,rotten', {
      Authorization: basic(ALICE_KEY),
    });
    expect(denied.status).toBe(403);
  });

  it('lets @Public handlers through without asking tinyauth', async () => {
    const res = await call(app, '/apples/health/check');
    expect(res).toMatchObject({ status: 200, json: { ok: true } });
    expect(proxy.requests).toHaveLength(0);
  });

  it('still checks a handler that declares @RequireAction inside a @Public controller', async () => {
    expect(await call(app, '/open')).toMatchObject({ status: 200, json: { open: true } });
    expect(proxy.requests).toHaveLength(0);
    expect(await call(app, '/open/stats')).toMatchObject({ status: 401 });
    expect(await call(app, '/open/stats', { Authorization: basic(ALICE_KEY) })).toMatchObject({
      status: 200,
      json: { who: 'alice' },
    });
  });

  it('denies a handler with neither @RequireAction nor @Public, without asking tinyauth', async () => {
    const res = await call(app, '/apples/unannotated/handler', { Authorization: basic(ALICE_KEY) });
    expect(res).toMatchObject({ status: 403, json: { Authorized: false, ErrorCode: 'NotPermitted' } });
    expect(res.text).not.toContain('leaked');
    expect(proxy.requests).toHaveLength(0);
  });

  it('supports checks inside a handler with authorizeOrThrow', async () => {
    expect(await call(app, '/apples/inside/fred', { Authorization: basic(ALICE_KEY) })).toMatchObject({
      status: 200,
      json: { name: 'fred', who: 'alice' },
    });
    expect(await call(app, '/apples/inside/rotten', { Authorization: basic(ALICE_KEY) })).toMatchObject({
      status: 403,
    });
    expect(await call(app, '/apples/inside/fred')).toMatchObject({ status: 401 });
  });
});

describe.each(ADAPTERS)('TinyauthGuard failing closed on %s', (adapter) => {
  const apps: RunningApp[] = [];
  const servers: ScriptedServer[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  async function appFor(endpoint: string, extra: Record<string, unknown> = {}, logger?: MemoryLogger) {
    const started = await startApp(adapter, guardAppModule(options(endpoint, extra)), { logger });
    apps.push(started);
    return started;
  }

  async function scripted(status: number, body: string, delayMs = 0) {
    const server = await startScriptedServer(async (_req, res) => {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    });
    servers.push(server);
    return server;
  }

  it('answers 503 when tinyauth is down', async () => {
    const app = await appFor(await closedPortUrl());
    const res = await call(app, '/apples/fred', { Authorization: basic(ALICE_KEY) });
    expect(res).toMatchObject({ status: 503, json: { Authorized: false, ErrorCode: 'TinyauthUnavailable' } });
  });

  it('answers 503 when tinyauth is slower than timeoutMs', async () => {
    // tinyauth would allow, but only after the app has answered: the 503 can only come from the timeout.
    let answered = (): void => undefined;
    const appAnswered = new Promise<void>((resolve) => (answered = resolve));
    const slow = await startScriptedServer(async (req, res) => {
      await appAnswered;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(allowAll(req));
    });
    servers.push(slow);
    const app = await appFor(slow.url, { timeoutMs: 300 });
    try {
      const res = await call(app, '/apples/fred', { Authorization: basic(ALICE_KEY) });
      expect(res).toMatchObject({ status: 503, json: { ErrorCode: 'TinyauthUnavailable' } });
      expect(slow.requests).toHaveLength(1);
    } finally {
      answered();
    }
  });

  const FRED = 'arn:tinyauth:test:default::apples/fred';
  // A malformed answer cannot be read as a decision: 503 (cannot decide), never a 403 from a guess at its meaning.
  it.each<[string, number, string, 403 | 503]>([
    ['a body that is not JSON', 200, '<html>oops</html>', 503],
    [
      '"Authorized": "true" (a string)',
      200,
      '{"Authorized": "true", "Permitted": {}, "NotPermitted": {}}',
      503,
    ],
    ['"Authorized": 1', 200, '{"Authorized": 1}', 503],
    ['a JSON array', 200, '[true]', 503],
    ['a 500 page', 500, '<h1>Internal Server Error</h1>', 503],
    [
      'an Identity that is not a string',
      200,
      `{"Authorized": true, "Permitted": {"GetApple": ["${FRED}"]}, "NotPermitted": {}, "Identity": 42}`,
      503,
    ],
    [
      'Authorized true with something NotPermitted',
      200,
      '{"Authorized": true, "Permitted": {}, "NotPermitted": {"GetApple": ["x"]}}',
      403,
    ],
    [
      'Authorized true with the pair both Permitted and NotPermitted',
      200,
      `{"Authorized": true, "Permitted": {"GetApple": ["${FRED}"]}, "NotPermitted": {"GetApple": ["${FRED}"]}}`,
      403,
    ],
    [
      'Authorized true without the requested pair in Permitted',
      200,
      '{"Authorized": true, "Permitted": {"GetApple": ["arn:tinyauth:test:default::apples/other"]}, "NotPermitted": {}}',
      403,
    ],
  ])('denies when tinyauth answers %s', async (_name, status, body, expected) => {
    const garbage = await scripted(status, body);
    const app = await appFor(garbage.url);
    const res = await call(app, '/apples/fred', { Authorization: basic(ALICE_KEY) });
    expect(res.status).toBe(expected);
    expect(res.json).toMatchObject({ Authorized: false });
    expect(res.text).not.toContain('"name"');
  });

  it('answers 503 and logs the advice when tinyauth refuses our own key the permission (outer 403)', async () => {
    const refusing = await scripted(403, '{"errors": {"authorization": "NotPermitted"}}');
    const logger = new MemoryLogger();
    const app = await appFor(refusing.url, {}, logger);
    const res = await call(app, '/apples/fred', { Authorization: basic(ALICE_KEY) });
    expect(res).toMatchObject({ status: 503, json: { ErrorCode: 'TinyauthUnavailable' } });
    const errors = logger.lines.filter((l) => l.startsWith('ERROR'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('NotPermitted');
    expect(errors[0]).toContain('tinyauth:BatchAuthorizeByToken');
  });

  it('denies, without asking tinyauth, a route whose @RequireAction names a parameter it does not have', async () => {
    const logger = new MemoryLogger();
    const app = await appFor(tinyauth.url, {}, logger);
    const res = await call(app, '/apples/misnamed/fred', { Authorization: basic(ALICE_KEY) });
    expect(res).toMatchObject({ status: 403, json: { Authorized: false, ErrorCode: 'NotPermitted' } });
    expect(res.text).not.toContain('leaked');
    expect(logger.lines.filter((l) => l.startsWith('ERROR'))).toEqual([
      expect.stringContaining('the route has no parameter "name"'),
    ]);
  });

  it('answers 503 and logs one actionable line, without the secret, when tinyauth rejects our own key', async () => {
    const logger = new MemoryLogger();
    const app = await appFor(tinyauth.url, { secretAccessKey: 'not-the-service-secret' }, logger);
    const res = await call(app, '/apples/fred', { Authorization: basic(ALICE_KEY) });
    expect(res).toMatchObject({ status: 503, json: { ErrorCode: 'TinyauthUnavailable' } });
    const errors = logger.lines.filter((l) => l.startsWith('ERROR'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('InvalidSignature');
    expect(errors[0]).toContain('TINYAUTH_SECRET_ACCESS_KEY');
    expect(logger.lines.join('\n')).not.toContain('not-the-service-secret');
    expect(logger.lines.join('\n')).not.toContain(ALICE_KEY.secret);
  });

  it('allows everything in bypass mode without calling tinyauth, with a loud warning', async () => {
    const watcher = await scripted(500, 'must not be called');
    const logger = new MemoryLogger();
    const app = await appFor(watcher.url, { bypass: true }, logger);
    expect((await call(app, '/apples/fred')).status).toBe(200);
    expect((await call(app, '/orchards/oak')).status).toBe(200);
    expect(watcher.requests).toHaveLength(0);
    expect(logger.lines.some((l) => l.startsWith('WARN') && l.includes('BYPASS'))).toBe(true);
  });

  it("lets a user's @Catch(AuthorizationFailed) filter replace the response", async () => {
    @Catch(AuthorizationFailed)
    class HandleInvalidUsage implements ExceptionFilter {
      catch(exception: AuthorizationFailed, host: ArgumentsHost) {
        const res = host.switchToHttp().getResponse<{
          status?: (n: number) => { send: (b: string) => void };
          code?: (n: number) => { send: (b: string) => void };
        }>();
        const reply =
          adapter === 'fastify' ? res.code!(exception.getStatus()) : res.status!(exception.getStatus());
        reply.send(`Authorization has failed (${exception.errorCode})`);
      }
    }
    const started = await startApp(
      adapter,
      guardAppModule(options(tinyauth.url), [{ provide: APP_FILTER, useClass: HandleInvalidUsage }]),
    );
    apps.push(started);
    const res = await call(started, '/apples/fred');
    expect(res.status).toBe(401);
    expect(res.text).toBe('Authorization has failed (UnsignedRequest)');
    const denied = await call(started, '/apples', { Authorization: basic(BOB_KEY) });
    expect(denied).toMatchObject({ status: 403, text: 'Authorization has failed (NotPermitted)' });
    // The sign-in redirect of @RedirectToLogin pages is not a denial to customise.
    const page = await fetch(`${started.url}/page?x=1`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2Fpage%3Fx%3D1');
    const forbidden = await call(started, '/page', { Authorization: basic(ALICE_KEY) });
    expect(forbidden).toMatchObject({ status: 403, text: 'Authorization has failed (NotPermitted)' });
  });
});
