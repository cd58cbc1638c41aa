import {
  Controller,
  Get,
  Module,
  RequestMethod,
  UseGuards,
  VersioningType,
  type DynamicModule,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import {
  createLoginController,
  RedirectToLogin,
  RequireAction,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
} from 'nestjs-tinyauth';
import { type TinyauthModuleExtras } from '../../src/options/tinyauth-options.interface';
import { demoFixture, startTinyauthServer } from 'nestjs-tinyauth/testing';
import { ADAPTERS, startApp, type RunningApp } from '../helpers/http-apps';

@Controller('page')
@UseGuards(TinyauthGuard)
@RedirectToLogin()
class PageController {
  @Get()
  @RequireAction('AccessWebInterface')
  page(@TinyauthIdentity() who: string): string {
    return `hello ${who}`;
  }
}

let tinyauth: { url: string; close(): Promise<void> };

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: demoFixture });
});

afterAll(async () => {
  await tinyauth?.close();
});

function tinyauthModule(login: TinyauthModuleExtras['login']): DynamicModule {
  return TinyauthModule.forRoot({
    endpoint: tinyauth.url,
    accessKeyId: 'AKSAMPLESERVICE',
    secretAccessKey: 'sample-service-secret',
    service: 'apples',
    cookieSecure: false,
    login,
  });
}

/** The app: the page, and the login flow mounted by the module (`login`) or by a module under RouterModule. */
function appModule(login: TinyauthModuleExtras['login'], routerPath?: string): Type {
  if (routerPath === undefined) {
    @Module({ imports: [tinyauthModule(login)], controllers: [PageController] })
    class AppModule {}
    return AppModule;
  }
  const tinyauthRoot = tinyauthModule(false);
  @Module({ imports: [tinyauthRoot], controllers: [createLoginController('/signin')] })
  class AccountModule {}
  @Module({
    imports: [
      tinyauthRoot,
      AccountModule,
      RouterModule.register([{ path: routerPath, module: AccountModule }]),
    ],
    controllers: [PageController],
  })
  class AppModule {}
  return AppModule;
}

/** Where each URL must point for one way of mounting the app. */
interface Setup {
  name: string;
  module: () => Type;
  setup: (app: INestApplication) => void;
  pages: string[];
  /** The login page each page redirects to, by index in `pages`. */
  loginPages: string[];
  action: string;
  assets: string;
  logout: string;
  home: string;
  notFound: string[];
}

const SETUPS: Setup[] = [
  {
    name: "setGlobalPrefix('api')",
    module: () => appModule(true),
    setup: (app) => app.setGlobalPrefix('api'),
    pages: ['/api/page'],
    loginPages: ['/api/login'],
    action: '/api/login',
    assets: '/api/login/static',
    logout: '/api/logout',
    home: '/api',
    notFound: ['/login', '/logout', '/api/api/login'],
  },
  {
    name: "setGlobalPrefix('api') with login: { path: '/api/login' } (not prefixed twice)",
    module: () => appModule({ path: '/api/login' }),
    setup: (app) => app.setGlobalPrefix('api'),
    pages: ['/api/page'],
    loginPages: ['/api/login'],
    action: '/api/login',
    assets: '/api/login/static',
    logout: '/api/logout',
    home: '/api',
    notFound: ['/api/api/login', '/login'],
  },
  {
    name: "setGlobalPrefix('api', { exclude: [GET login] }): page bare, its form post prefixed",
    module: () => appModule(true),
    setup: (app) => app.setGlobalPrefix('api', { exclude: [{ path: 'login', method: RequestMethod.GET }] }),
    pages: ['/api/page'],
    loginPages: ['/login'],
    action: '/api/login',
    assets: '/api/login/static',
    logout: '/api/logout',
    home: '/api',
    notFound: ['/api/api/login'],
  },
  {
    name: "setGlobalPrefix('api', { exclude: ['login', 'logout'] })",
    module: () => appModule(true),
    setup: (app) => app.setGlobalPrefix('api', { exclude: ['login', 'logout'] }),
    pages: ['/api/page'],
    loginPages: ['/login'],
    action: '/login',
    assets: '/api/login/static',
    logout: '/logout',
    home: '/api',
    notFound: ['/api/logout'],
  },
  {
    name: "URI versioning (defaultVersion '1') under setGlobalPrefix('api')",
    module: () => appModule(true),
    setup: (app) => {
      app.setGlobalPrefix('api');
      app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
    },
    pages: ['/api/v1/page'],
    loginPages: ['/api/v1/login'],
    action: '/api/v1/login',
    assets: '/api/v1/login/static',
    logout: '/api/v1/logout',
    home: '/api/v1',
    notFound: ['/api/login', '/login'],
  },
  {
    name: "URI versioning with two versions ['1', '2']: each page goes to its own version's login",
    module: () => appModule({ path: '/auth' }),
    setup: (app) => app.enableVersioning({ type: VersioningType.URI, defaultVersion: ['1', '2'] }),
    pages: ['/v1/page', '/v2/page'],
    loginPages: ['/v1/auth', '/v2/auth'],
    action: '/v1/auth',
    assets: '/v1/auth/static',
    logout: '/v1/logout',
    home: '/v1',
    notFound: ['/auth'],
  },
  {
    name: "RouterModule path 'account' under setGlobalPrefix('api'), controller mounted by hand",
    module: () => appModule(false, 'account'),
    setup: (app) => app.setGlobalPrefix('api'),
    pages: ['/api/page'],
    loginPages: ['/api/account/signin'],
    action: '/api/account/signin',
    assets: '/api/account/signin/static',
    logout: '/api/account/logout',
    home: '/api/account',
    notFound: ['/signin', '/api/signin', '/login'],
  },
];

function location(res: Response): string | null {
  return res.headers.get('location');
}

function sessionCookie(res: Response): string {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('tinysess='));
  if (!line) throw new Error('no session cookie');
  return line.split(';')[0];
}

describe.each(ADAPTERS)('login URLs follow where Nest mounts the routes, on %s', (adapter) => {
  describe.each(SETUPS)('$name', (s) => {
    let running: RunningApp;
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${running.url}${path}`, { redirect: 'manual', headers });
    const postForm = (path: string, fields: Record<string, string>) =>
      fetch(`${running.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });

    beforeAll(async () => {
      running = await startApp(adapter, s.module(), { setup: s.setup });
    });

    afterAll(async () => {
      await running?.close();
    });

    it('redirects each page to the login page where it is mounted, with next', async () => {
      for (const [i, page] of s.pages.entries()) {
        const res = await get(`${page}?tab=1`);
        expect(res.status).toBe(302);
        expect(location(res)).toBe(`${s.loginPages[i]}?next=${encodeURIComponent(`${page}?tab=1`)}`);
      }
    });

    it('serves the page with its form action, asset links and default next where they are mounted', async () => {
      const res = await get(s.loginPages[0]);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`method="post" action="${s.action}"`);
      expect(html).toContain(`<link rel="stylesheet" href="${s.assets}/login.css">`);
      expect(html).toContain(`<link rel="icon" type="image/svg+xml" href="${s.assets}/icon.svg">`);
      expect(html).toContain(`<script src="${s.assets}/login.js" defer></script>`);
      expect(html).toContain(`<input type="hidden" name="next" value="${s.home}">`);
      for (const asset of ['login.css', 'login.js', 'icon.svg']) {
        expect((await get(`${s.assets}/${asset}`)).status).toBe(200);
      }
      for (const path of s.notFound) expect((await get(path)).status).toBe(404);
    });

    it('signs in through the mounted form, comes back to the page, and signs out to the mounted page', async () => {
      for (const [i, page] of s.pages.entries()) {
        const loginHtml = await (await get(`${s.loginPages[i]}?next=${encodeURIComponent(page)}`)).text();
        const action = /action="([^"]+)"/.exec(loginHtml)?.[1] ?? '';
        const signed = await postForm(action, { username: 'reader', password: 'reader-pass', next: page });
        expect(signed.status).toBe(303);
        expect(location(signed)).toBe(page);
        const cookie = sessionCookie(signed);
        const back = await get(page, { cookie });
        expect(back.status).toBe(200);
        expect(await back.text()).toBe('hello reader');
      }
      const logout = await get(s.logout);
      expect(logout.status).toBe(302);
      expect(location(logout)).toBe(s.loginPages[0]);
    });

    it('lands on the root of the mount without a next', async () => {
      const signed = await postForm(s.action, { username: 'reader', password: 'reader-pass' });
      expect(signed.status).toBe(303);
      expect(location(signed)).toBe(s.home);
    });
  });
});
