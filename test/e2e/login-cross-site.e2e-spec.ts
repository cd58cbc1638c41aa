import { Controller, Get, Module, type INestApplication, type Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Public, TinyauthModule, type TinyauthModuleOptions } from 'nestjs-tinyauth';
import { demoFixture, startTinyauthServer } from 'nestjs-tinyauth/testing';
import { ADAPTERS, MemoryLogger, startApp, type AdapterName, type RunningApp } from '../helpers/http-apps';

@Controller()
class HomeController {
  @Get()
  @Public()
  home(): string {
    return 'home';
  }
}

let tinyauth: { url: string; close(): Promise<void> };

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: demoFixture });
});

afterAll(async () => {
  await tinyauth?.close();
});

function appModule(extra: Partial<TinyauthModuleOptions> = {}): Type {
  @Module({
    imports: [
      TinyauthModule.forRoot({
        endpoint: tinyauth.url,
        accessKeyId: 'AKSAMPLESERVICE',
        secretAccessKey: 'sample-service-secret',
        service: 'apples',
        cookieSecure: false,
        ...extra,
        login: true,
      }),
    ],
    controllers: [HomeController],
  })
  class AppModule {}
  return AppModule;
}

const CREDENTIALS = { username: 'reader', password: 'reader-pass' };

function signIn(app: RunningApp, headers: Record<string, string>, form = false): Promise<Response> {
  return fetch(`${app.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...headers,
    },
    body: form ? new URLSearchParams(CREDENTIALS).toString() : JSON.stringify(CREDENTIALS),
  });
}

async function expectRefused(res: Response): Promise<void> {
  expect(res.status).toBe(403);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.getSetCookie()).toEqual([]);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({
    error: 'Cross-site request refused',
    message: 'This request came from another site and was refused.',
  });
}

/** Trusts the loopback proxy the test plays, the way each framework is told to. */
function startTrusting(adapter: AdapterName, module: Type, trust: boolean): Promise<RunningApp> {
  return startApp(adapter, module, {
    fastify: { trustProxy: trust ? '127.0.0.1' : false },
    setup: (app: INestApplication) => {
      if (adapter === 'express')
        (app as NestExpressApplication).set('trust proxy', trust ? 'loopback' : false);
    },
  });
}

describe.each(ADAPTERS)('cross-site sign-in on %s', (adapter) => {
  let app: RunningApp;
  let own: string;
  const logs = new MemoryLogger();

  beforeAll(async () => {
    app = await startApp(adapter, appModule({ allowedOrigins: ['https://www.example.com'] }), {
      logger: logs,
    });
    own = app.url;
  });

  afterAll(async () => {
    await app?.close();
    const lines = logs.lines.join('\n');
    expect(lines).toMatch(/sign-in refused: cross-site request \(Origin "https:\/\/evil\.example"/);
    expect(lines).toMatch(/sign-out refused: cross-site request/);
    expect(lines).not.toContain('reader-pass');
  });

  it.each<[string, (own: string) => Record<string, string>]>([
    ['another origin (no Sec-Fetch-Site, as older Safari)', () => ({ Origin: 'https://evil.example' })],
    ['Origin: null', () => ({ Origin: 'null' })],
    ['Sec-Fetch-Site: cross-site', () => ({ 'Sec-Fetch-Site': 'cross-site' })],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', () => ({ 'Sec-Fetch-Site': 'same-site' })],
    [
      "Sec-Fetch-Site: cross-site and the app's own Origin",
      (o) => ({ 'Sec-Fetch-Site': 'cross-site', Origin: o }),
    ],
    ['an unknown Sec-Fetch-Site value', () => ({ 'Sec-Fetch-Site': 'elsewhere' })],
    [
      'Sec-Fetch-Site: same-origin but another Origin',
      () => ({ 'Sec-Fetch-Site': 'same-origin', Origin: 'https://evil.example' }),
    ],
    ['the same host on another port', () => ({ Origin: 'http://127.0.0.1:1' })],
    ['the same host over https', (o) => ({ Origin: o.replace('http:', 'https:') })],
    ['an Origin that is not an origin', () => ({ Origin: 'https://evil.example/login' })],
    ['two Origin values', (o) => ({ Origin: `${o}, https://evil.example` })],
  ])('refuses a sign-in with %s: 403 JSON, no cookie', async (_label, headers) => {
    await expectRefused(await signIn(app, headers(own)));
  });

  it('refuses a cross-site HTML form post with the same JSON, not the page with the posted name', async () => {
    await expectRefused(await signIn(app, { Origin: 'https://evil.example' }, true));
    await expectRefused(await signIn(app, { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' }, true));
  });

  it.each<[string, () => Record<string, string>]>([
    ['no browser signal at all (curl)', () => ({})],
    ['its own Origin', () => ({ Origin: own })],
    [
      'its own Origin and Sec-Fetch-Site: same-origin',
      () => ({ Origin: own, 'Sec-Fetch-Site': 'same-origin' }),
    ],
    ['Sec-Fetch-Site: none (typed by the user)', () => ({ 'Sec-Fetch-Site': 'none' })],
    [
      'an origin listed in allowedOrigins, even cross-site',
      () => ({ Origin: 'https://www.example.com', 'Sec-Fetch-Site': 'cross-site' }),
    ],
  ])('signs in with %s', async (_label, headers) => {
    const res = await signIn(app, headers());
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()[0]).toMatch(/^tinysess=/);
  });

  it('signs in with a same-origin form post', async () => {
    const res = await signIn(app, { Origin: own, 'Sec-Fetch-Site': 'same-origin' }, true);
    expect(res.status).toBe(303);
  });

  it.each<[string, Record<string, string>]>([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['another Origin', { Origin: 'https://evil.example' }],
  ])('refuses a sign-out with %s and keeps the session cookies', async (_label, headers) => {
    const res = await fetch(`${app.url}/logout`, { redirect: 'manual', headers });
    await expectRefused(res);
  });

  it('signs out a same-origin navigation', async () => {
    const res = await fetch(`${app.url}/logout`, {
      redirect: 'manual',
      headers: { 'Sec-Fetch-Site': 'same-origin' },
    });
    expect(res.status).toBe(302);
    expect(res.headers.getSetCookie().join()).toMatch(/tinysess=;/);
  });

  describe('behind a reverse proxy', () => {
    const proxied = {
      'X-Forwarded-Host': 'app.example.com',
      'X-Forwarded-Proto': 'https',
      Origin: 'https://app.example.com',
      'Sec-Fetch-Site': 'same-origin',
    };
    const apps: RunningApp[] = [];
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.close()));
    });

    it('takes the origin from X-Forwarded-Host/Proto when the app trusts its proxy', async () => {
      const trusting = await startTrusting(adapter, appModule(), true);
      apps.push(trusting);
      expect((await signIn(trusting, proxied)).status).toBe(200);
      // The direct address is not the app's origin any more once the proxy says otherwise.
      await expectRefused(
        await signIn(trusting, { ...proxied, Origin: trusting.url, 'Sec-Fetch-Site': 'same-origin' }),
      );
    });

    it('ignores X-Forwarded-* from a proxy it does not trust', async () => {
      const direct = await startTrusting(adapter, appModule(), false);
      apps.push(direct);
      await expectRefused(await signIn(direct, proxied));
      // A client cannot make its own Origin look like the app's by sending X-Forwarded-Host.
      await expectRefused(
        await signIn(direct, {
          ...proxied,
          'X-Forwarded-Host': 'evil.example',
          Origin: 'https://evil.example',
        }),
      );
      expect((await signIn(direct, { ...proxied, Origin: direct.url })).status).toBe(200);
    });

    it('accepts the public origin without trusting the proxy when it is in allowedOrigins', async () => {
      const listed = await startTrusting(
        adapter,
        appModule({ allowedOrigins: ['https://app.example.com'] }),
        false,
      );
      apps.push(listed);
      expect((await signIn(listed, proxied)).status).toBe(200);
    });
  });
});
