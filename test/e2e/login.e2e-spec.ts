import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Controller,
  Get,
  Header,
  Module,
  UseGuards,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type Type,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseSetCookie } from 'cookie';
import {
  LoginController,
  RedirectToLogin,
  RequireAction,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
  type TinyauthModuleOptions,
} from 'nestjs-tinyauth';
import { demoFixture, startTinyauthServer } from 'nestjs-tinyauth/testing';

type AdapterName = 'express' | 'fastify';

@Controller()
class PagesController {
  @Get('/')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @UseGuards(TinyauthGuard)
  @RedirectToLogin()
  @RequireAction('AccessWebInterface')
  home(@TinyauthIdentity() user: string | undefined): string {
    return `<h1>Apples</h1><p>Signed in as ${user === 'reader' || user === 'admin' ? user : 'someone'}</p>`;
  }

  @Get('/api/apples')
  @UseGuards(TinyauthGuard)
  @RequireAction('ListApples', 'apples')
  list(): Array<{ name: string }> {
    return [{ name: 'fred' }];
  }
}

function appModule(tinyauth: DynamicModule, controllers: Type[] = []): Type {
  @Module({ imports: [tinyauth], controllers: [PagesController, ...controllers] })
  class AppModule {}
  return AppModule;
}

interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** Keeps log lines so a test can check that no secret was logged. */
class MemoryLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push([message, ...rest].map(String).join(' '));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
}

async function startApp(
  adapter: AdapterName,
  module: Type,
  bodyParser = true,
  logger: LoggerService | false = false,
): Promise<RunningApp> {
  const options = { logger, abortOnError: false, bodyParser };
  const app: INestApplication =
    adapter === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, options);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** A URL on which nothing listens, to play an unreachable tinyauth. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

function request(app: RunningApp, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${app.url}${path}`, { redirect: 'manual', ...init });
}

function postJson(app: RunningApp, body: unknown, path = '/login', headers: Record<string, string> = {}) {
  return request(app, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function postForm(app: RunningApp, fields: Record<string, string>, path = '/login') {
  return request(app, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The response's cookies by name, parsed. */
function setCookies(res: Response): Record<string, ReturnType<typeof parseSetCookie>> {
  return Object.fromEntries(
    res.headers.getSetCookie().map((line) => {
      const parsed = parseSetCookie(line);
      return [parsed.name, parsed];
    }),
  );
}

/** Signs in with JSON and returns the Cookie header (and the CSRF token, if any) for later requests. */
async function signIn(app: RunningApp, username: string, password: string) {
  const res = await postJson(app, { username, password });
  expect(res.status).toBe(200);
  const cookies = setCookies(res);
  return { cookie: `tinysess=${cookies.tinysess.value}`, csrf: cookies.tinycsrf?.value };
}

function jwtExp(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp: number }).exp;
}

const UNSAFE_NEXT = [
  '//evil.com',
  '//evil.com/path',
  'https://x',
  '/\\evil.com',
  '\\\\evil',
  '/\t/evil.com',
  '/\r\nLocation: https://evil.com',
  'javascript:alert(1)',
  'evil.com',
];

let tinyauth: { url: string; close(): Promise<void> };
let downUrl: string;

const baseOptions = (
  endpoint: string,
  extra: Partial<TinyauthModuleOptions> = {},
): TinyauthModuleOptions => ({
  endpoint,
  accessKeyId: 'AKSAMPLESERVICE',
  secretAccessKey: 'sample-service-secret',
  service: 'apples',
  cookieSecure: false,
  ...extra,
});

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: demoFixture });
  downUrl = await closedPortUrl();
});

afterAll(async () => {
  await tinyauth?.close();
});

describe.each<AdapterName>(['express', 'fastify'])('login flow on %s', (adapter) => {
  const apps: RunningApp[] = [];
  let app: RunningApp;

  async function start(
    module: Type,
    bodyParser = true,
    logger: LoggerService | false = false,
  ): Promise<RunningApp> {
    const running = await startApp(adapter, module, bodyParser, logger);
    apps.push(running);
    return running;
  }

  beforeAll(async () => {
    app = await start(appModule(TinyauthModule.forRoot({ ...baseOptions(tinyauth.url), login: true })));
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });

  describe('GET /login (the page)', () => {
    it('serves the page with a strict CSP, nosniff and no-store', async () => {
      const res = await request(app, '/login');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'self'; frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('<form id="login-form" class="form" method="post" action="/login">');
      expect(html).toContain('<input type="hidden" name="next" value="/">');
      expect(html).toContain('<label for="login-username">User name</label>');
      expect(html).toContain('role="alert"');
      expect(html).toContain('to continue to <strong>apples</strong>');
    });

    it('carries a safe next in the hidden field, escaped', async () => {
      const kept = await (await request(app, `/login?next=${encodeURIComponent('/apples?page=2')}`)).text();
      expect(kept).toContain('name="next" value="/apples?page=2"');
      const evil = '/"><script>alert(1)</script>';
      const escaped = await (await request(app, `/login?next=${encodeURIComponent(evil)}`)).text();
      expect(escaped).not.toContain('<script>alert(1)</script>');
      expect(escaped).toContain('value="/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    });

    it.each(UNSAFE_NEXT)('replaces the unsafe next %j with /', async (next) => {
      const html = await (await request(app, `/login?next=${encodeURIComponent(next)}`)).text();
      expect(html).toContain('<input type="hidden" name="next" value="/">');
    });

    it('serves the stylesheet and the script', async () => {
      const css = await request(app, '/login/static/login.css');
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
      expect(css.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await css.text()).toContain('.card');
      const js = await request(app, '/login/static/login.js');
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await js.text()).toContain("getElementById('login-form')");
      const icon = await request(app, '/login/static/icon.svg');
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    });
  });

  describe('POST /login', () => {
    it('signs in with JSON: 200 {}, an HttpOnly SameSite=Lax tinysess expiring with the token', async () => {
      const before = Math.floor(Date.now() / 1000);
      const res = await postJson(app, { username: 'reader', password: 'reader-pass' });
      const after = Math.ceil(Date.now() / 1000);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({});
      expect(res.headers.get('cache-control')).toBe('no-store');
      const lines = res.headers.getSetCookie();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/; HttpOnly/);
      expect(lines[0]).toMatch(/; SameSite=Lax/);
      expect(lines[0]).not.toMatch(/; Secure/);
      const { tinysess } = setCookies(res);
      expect(tinysess.path).toBe('/');
      const exp = jwtExp(tinysess.value ?? '');
      expect(Math.abs((tinysess.expires?.getTime() ?? 0) / 1000 - exp)).toBeLessThanOrEqual(1);
      // Max-Age counts from the moment the server answered, somewhere between before and after.
      expect(tinysess.maxAge).toBeGreaterThanOrEqual(exp - after);
      expect(tinysess.maxAge).toBeLessThanOrEqual(exp - before);
    });

    it('signs in with a form post: 303 to next', async () => {
      const res = await postForm(app, {
        username: 'reader',
        password: 'reader-pass',
        next: '/apples?page=2',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/apples?page=2');
      expect(setCookies(res).tinysess.httpOnly).toBe(true);
    });

    it('sends a form post without next to /', async () => {
      const res = await postForm(app, { username: 'reader', password: 'reader-pass' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
    });

    it.each(UNSAFE_NEXT)('never redirects to the unsafe next %j', async (next) => {
      const res = await postForm(app, { username: 'reader', password: 'reader-pass', next });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
    });

    it.each([
      ['a wrong password', 'reader', 'wrong'],
      ['an unknown user', 'mallory', 'reader-pass'],
      ['the wrong case', 'Reader', 'reader-pass'],
    ])('answers 401 JSON for %s, with no cookie', async (_label, username, password) => {
      const res = await postJson(app, { username, password });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'Invalid credentials' });
      expect(res.headers.getSetCookie()).toEqual([]);
    });

    it('shows the page again with 401 and a clear message for a wrong password in a form post', async () => {
      const res = await postForm(app, { username: 'reader', password: 'wrong', next: '/apples' });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'self'; frame-ancestors 'none'");
      expect(res.headers.getSetCookie()).toEqual([]);
      const html = await res.text();
      expect(html).toContain('Wrong user name or password.');
      expect(html).toContain('value="reader"');
      expect(html).toContain('name="next" value="/apples"');
      expect(html).not.toContain('value="wrong"');
    });

    it.each<[string, string, string | undefined]>([
      ['a missing password', JSON.stringify({ username: 'reader' }), 'application/json'],
      ['a missing username', JSON.stringify({ password: 'reader-pass' }), 'application/json'],
      ['a numeric username', JSON.stringify({ username: 1, password: 'reader-pass' }), 'application/json'],
      [
        'an array password',
        JSON.stringify({ username: 'reader', password: ['reader-pass'] }),
        'application/json',
      ],
      [
        'an object next',
        JSON.stringify({ username: 'reader', password: 'reader-pass', next: {} }),
        'application/json',
      ],
      ['empty strings', JSON.stringify({ username: '', password: '' }), 'application/json'],
      ['a JSON array', '[]', 'application/json'],
      ['JSON null', 'null', 'application/json'],
      ['an empty JSON object', '{}', 'application/json'],
      ['invalid JSON', '{"username":', 'application/json'],
      ['no body at all', '', undefined],
      ['a form without password', 'username=reader', 'application/x-www-form-urlencoded'],
    ])('answers 400 JSON for %s', async (_label, body, contentType) => {
      const res = await request(app, '/login', {
        method: 'POST',
        headers: contentType ? { 'Content-Type': contentType } : {},
        body,
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const text = await res.text();
      expect(text).not.toMatch(/reader-pass|\bat .*\.ts:\d+/);
      expect(res.headers.getSetCookie()).toEqual([]);
    });

    it('refuses a sign-in the browser marks as cross-site (login CSRF)', async () => {
      const res = await postJson(app, { username: 'reader', password: 'reader-pass' }, '/login', {
        'Sec-Fetch-Site': 'cross-site',
      });
      expect(res.status).toBe(403);
      expect(res.headers.getSetCookie()).toEqual([]);
    });
  });

  describe('protected page', () => {
    it('redirects an unauthenticated GET to /login?next=... (302)', async () => {
      const res = await request(app, '/?page=2');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/?page=2')}`);
    });

    it('answers an unauthenticated API call with 401, not a redirect', async () => {
      const res = await request(app, '/api/apples');
      expect(res.status).toBe(401);
      expect(res.headers.get('location')).toBeNull();
    });

    it('serves the page to a signed-in reader', async () => {
      const { cookie } = await signIn(app, 'reader', 'reader-pass');
      const res = await request(app, '/', { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Signed in as reader');
    });

    it('gives a signed-in user without the permission 403, not a login loop', async () => {
      const { cookie } = await signIn(app, 'nobody', 'nobody-pass');
      const res = await request(app, '/', { headers: { cookie } });
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
    });

    it('redirects a session with a forged signature to the login page', async () => {
      const { cookie } = await signIn(app, 'admin', 'admin-pass');
      const forged = `${cookie.slice(0, cookie.lastIndexOf('.'))}.${Buffer.from('forged').toString('base64url')}`;
      const res = await request(app, '/', { headers: { cookie: forged } });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/login?next=%2F');
    });
  });

  describe('GET /logout', () => {
    it('clears both cookies with the same flags and goes back to the login page', async () => {
      const { cookie } = await signIn(app, 'reader', 'reader-pass');
      const res = await request(app, '/logout', { headers: { cookie } });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/login');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const cookies = setCookies(res);
      for (const name of ['tinysess', 'tinycsrf']) {
        expect(cookies[name]).toMatchObject({ value: '', path: '/', maxAge: 0, sameSite: 'lax' });
        expect(cookies[name].expires?.getTime()).toBe(0);
      }
      expect(cookies.tinysess.httpOnly).toBe(true);
      expect(cookies.tinycsrf.httpOnly).toBeFalsy();
    });
  });

  describe('tinyauth unreachable', () => {
    let down: RunningApp;
    const logs = new MemoryLogger();
    beforeAll(async () => {
      const module = appModule(
        TinyauthModule.forRoot({ ...baseOptions(downUrl, { timeoutMs: 2000 }), login: true }),
      );
      down = await start(module, true, logs);
    });

    afterAll(() => {
      expect(logs.lines.some((line) => /tinyauth unavailable \(connection\)/.test(line))).toBe(true);
      expect(logs.lines.join('\n')).not.toMatch(/reader-pass|sample-service-secret/);
    });

    it('answers a JSON sign-in with 503 and a message, no stack trace', async () => {
      const res = await postJson(down, { username: 'reader', password: 'reader-pass' });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(/unavailable/i);
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|\.ts:\d+|reader-pass/);
      expect(res.headers.getSetCookie()).toEqual([]);
    });

    it('shows the page with 503 for a form post', async () => {
      const res = await postForm(down, { username: 'reader', password: 'reader-pass' });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('Sign-in is unavailable right now.');
    });
  });

  describe('csrfStrategy header-token', () => {
    let spa: RunningApp;
    beforeAll(async () => {
      spa = await start(
        appModule(
          TinyauthModule.forRoot({
            ...baseOptions(tinyauth.url, { csrfStrategy: 'header-token' }),
            login: true,
          }),
        ),
      );
    });

    it('sets a script-readable tinycsrf beside the HttpOnly tinysess', async () => {
      const res = await postJson(spa, { username: 'reader', password: 'reader-pass' });
      expect(res.status).toBe(200);
      const cookies = setCookies(res);
      expect(cookies.tinysess.httpOnly).toBe(true);
      expect(cookies.tinycsrf.value).toMatch(/^[0-9a-f-]{36}$/);
      expect(cookies.tinycsrf.httpOnly).toBeFalsy();
      expect(cookies.tinycsrf).toMatchObject({ path: '/', sameSite: 'lax' });
      expect(cookies.tinycsrf.expires?.getTime()).toBe(cookies.tinysess.expires?.getTime());
    });

    it('then needs X-CSRF-Token on every request', async () => {
      const { cookie, csrf } = await signIn(spa, 'reader', 'reader-pass');
      expect(csrf).toBeDefined();
      expect((await request(spa, '/api/apples', { headers: { cookie } })).status).toBe(401);
      const wrong = await request(spa, '/api/apples', { headers: { cookie, 'X-CSRF-Token': 'nope' } });
      expect(wrong.status).toBe(401);
      const ok = await request(spa, '/api/apples', { headers: { cookie, 'X-CSRF-Token': csrf ?? '' } });
      expect(ok.status).toBe(200);
    });

    it('answers a page navigation lacking the header with 401 rather than a login loop', async () => {
      const { cookie, csrf } = await signIn(spa, 'reader', 'reader-pass');
      const res = await request(spa, '/', { headers: { cookie } });
      expect(res.status).toBe(401);
      expect(res.headers.get('location')).toBeNull();
      expect((await request(spa, '/', { headers: { cookie, 'X-CSRF-Token': csrf ?? '' } })).status).toBe(200);
    });
  });

  describe('custom login paths', () => {
    it('mounts the flow at login: { path } and redirects there', async () => {
      const custom = await start(
        appModule(TinyauthModule.forRoot({ ...baseOptions(tinyauth.url), login: { path: '/auth/' } })),
      );
      const page = await request(custom, '/auth?next=%2Fapples');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('action="/auth"');
      expect(html).toContain('href="/auth/static/login.css"');
      expect((await request(custom, '/auth/static/login.js')).status).toBe(200);
      expect((await request(custom, '/login')).status).toBe(404);

      const redirect = await request(custom, '/');
      expect(redirect.headers.get('location')).toBe('/auth?next=%2F');

      const signed = await postForm(
        custom,
        { username: 'reader', password: 'reader-pass', next: '/' },
        '/auth',
      );
      expect(signed.status).toBe(303);

      const logout = await request(custom, '/logout');
      expect(logout.status).toBe(302);
      expect(logout.headers.get('location')).toBe('/auth');
    });

    it('puts logout beside a nested login path (forRootAsync)', async () => {
      const nested = await start(
        appModule(
          TinyauthModule.forRootAsync({
            useFactory: () => baseOptions(tinyauth.url),
            login: { path: '/account/signin' },
          }),
        ),
      );
      expect((await request(nested, '/account/signin')).status).toBe(200);
      const res = await postJson(nested, { username: 'reader', password: 'reader-pass' }, '/account/signin');
      expect(res.status).toBe(200);
      const logout = await request(nested, '/account/logout');
      expect(logout.status).toBe(302);
      expect(logout.headers.get('location')).toBe('/account/signin');
      expect((await request(nested, '/')).headers.get('location')).toBe('/account/signin?next=%2F');
    });

    it('works when the app mounts LoginController itself', async () => {
      const manual = await start(
        appModule(TinyauthModule.forRoot(baseOptions(tinyauth.url)), [LoginController]),
      );
      expect((await request(manual, '/login')).status).toBe(200);
      expect((await request(manual, '/')).headers.get('location')).toBe('/login?next=%2F');
      const res = await postForm(manual, { username: 'reader', password: 'reader-pass', next: '/' });
      expect(res.status).toBe(303);
      expect((await request(manual, '/logout')).headers.get('location')).toBe('/login');
    });
  });

  it('stays reachable when TinyauthGuard is the global APP_GUARD', async () => {
    @Module({
      imports: [TinyauthModule.forRoot({ ...baseOptions(tinyauth.url), login: true })],
      controllers: [PagesController],
      providers: [{ provide: APP_GUARD, useClass: TinyauthGuard }],
    })
    class GuardedAppModule {}
    const guarded = await start(GuardedAppModule);
    expect((await request(guarded, '/login')).status).toBe(200);
    expect((await request(guarded, '/login/static/login.js')).status).toBe(200);
    const { cookie } = await signIn(guarded, 'reader', 'reader-pass');
    expect((await request(guarded, '/', { headers: { cookie } })).status).toBe(200);
    expect((await request(guarded, '/logout')).status).toBe(302);
    expect((await request(guarded, '/')).headers.get('location')).toBe('/login?next=%2F');
  });

  it('accepts the no-JavaScript form post even when the app turned off body parsing', async () => {
    const bare = await start(
      appModule(TinyauthModule.forRoot({ ...baseOptions(tinyauth.url), login: true })),
      false,
    );
    const res = await postForm(bare, { username: 'reader', password: 'reader-pass', next: '/apples' });
    if (adapter === 'fastify') {
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/apples');
    } else {
      // Express gets no parser from us (middleware cannot be added once routes exist): a clean 400, no crash.
      expect(res.status).toBe(400);
    }
  });
});
