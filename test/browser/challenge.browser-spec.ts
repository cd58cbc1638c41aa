/**
 * A 401's `WWW-Authenticate` must not make Chromium ask for a user name and password: not on a navigation to a
 * guarded API URL, not on fetch() or XHR from a page, not on the login page's failed sign-in.
 *
 * Chromium reports every challenge it would answer with its own credentials dialog as `Fetch.authRequired`
 * (DevTools protocol, with `handleAuthRequests`), and holds the request there until it is told what to do: that
 * is the dialog, seen from a test. A control route that answers `Basic` (what tinyauth sends for access keys)
 * shows the detector firing.
 */
import type { AddressInfo } from 'node:net';
import {
  Controller,
  Get,
  Header,
  Module,
  Res,
  UseGuards,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { launchChromium } from './launch';
import { Public, RequireAction, TinyauthGuard, TinyauthModule } from 'nestjs-tinyauth';
import { demoFixture, startTinyauthServer } from 'nestjs-tinyauth/testing';

// What page.evaluate callbacks touch in the browser (the project compiles without the DOM library).
declare function fetch(
  url: string,
): Promise<{ status: number; headers: { get(name: string): string | null } }>;
declare class XMLHttpRequest {
  status: number;
  onloadend: (() => void) | null;
  open(method: string, url: string): void;
  send(): void;
  getResponseHeader(name: string): string | null;
}

const BASIC_CONTROL = 'Basic realm="apples", charset="UTF-8"';

interface RawReply {
  status(code: number): RawReply;
  code?(code: number): RawReply;
  header?(name: string, value: string): RawReply;
  setHeader?(name: string, value: string): void;
  send(body: string): void;
}

@Controller()
class ApiController {
  @Get('/api/apples')
  @UseGuards(TinyauthGuard)
  @RequireAction('ListApples', 'apples')
  list(): string[] {
    return ['fred'];
  }

  /** What a `Basic` challenge does in Chromium: the control for the detector. */
  @Get('/control/basic')
  @Public()
  basic(@Res() reply: RawReply): void {
    if (reply.header) reply.header('WWW-Authenticate', BASIC_CONTROL);
    else reply.setHeader?.('WWW-Authenticate', BASIC_CONTROL);
    (reply.code ? reply.code(401) : reply.status(401)).send('{"Authorized":false}');
  }

  @Get('/blank')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  blank(): string {
    return '<!doctype html><title>blank</title>';
  }
}

async function startApp(
  adapter: 'express' | 'fastify',
  endpoint: string,
): Promise<{ app: INestApplication; url: string }> {
  const tinyauth = TinyauthModule.forRoot({
    endpoint,
    accessKeyId: 'AKSAMPLESERVICE',
    secretAccessKey: 'sample-service-secret',
    service: 'apples',
    cookieSecure: false,
    login: true,
  });
  @Module({ imports: [tinyauth], controllers: [ApiController] })
  class AppModule {}
  const module: Type = AppModule;
  const app: INestApplication =
    adapter === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: false })
      : await NestFactory.create(module, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** Every challenge Chromium would answer with its credentials dialog; each is then cancelled, as a user would. */
async function watchAuthDialogs(cdp: CDPSession): Promise<string[]> {
  const asked: string[] = [];
  cdp.on('Fetch.requestPaused', (event: { requestId: string }) => {
    void cdp.send('Fetch.continueRequest', { requestId: event.requestId }).catch(() => undefined);
  });
  cdp.on(
    'Fetch.authRequired',
    (event: { requestId: string; request: { url: string }; authChallenge: { scheme: string } }) => {
      asked.push(`${event.authChallenge.scheme} ${new URL(event.request.url).pathname}`);
      void cdp
        .send('Fetch.continueWithAuth', {
          requestId: event.requestId,
          authChallengeResponse: { response: 'CancelAuth' },
        })
        .catch(() => undefined);
    },
  );
  await cdp.send('Fetch.enable', { handleAuthRequests: true, patterns: [{ urlPattern: '*' }] });
  return asked;
}

let tinyauth: { url: string; close(): Promise<void> };
let browser: Browser;

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: demoFixture });
  browser = await launchChromium();
}, 60000);

afterAll(async () => {
  await browser?.close();
  await tinyauth?.close();
});

describe.each(['express', 'fastify'] as const)('401 challenges in Chromium (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;
  let context: BrowserContext;
  let page: Page;
  let asked: string[];

  beforeAll(async () => {
    ({ app, url } = await startApp(adapter, tinyauth.url));
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    asked = await watchAuthDialogs(await context.newCDPSession(page));
  });
  afterEach(async () => {
    await context?.close();
  });

  it('control: Chromium asks for credentials on a Basic challenge, for a navigation and for fetch()', async () => {
    await page.goto(`${url}/control/basic`);
    await page.goto(`${url}/blank`);
    await page.evaluate(() => fetch('/control/basic').then((r) => r.status));
    expect(asked).toEqual(['basic /control/basic', 'basic /control/basic']);
  });

  it('navigating to a guarded API URL shows the 401, without a credentials dialog', async () => {
    const res = await page.goto(`${url}/api/apples`);
    expect(res?.status()).toBe(401);
    expect(await res?.headerValue('www-authenticate')).toBe('Tinyauth realm="apples"');
    expect(await page.textContent('body')).toContain('UnsignedRequest');
    expect(asked).toEqual([]);
  });

  it('fetch() and XHR from a page get the 401, without a credentials dialog', async () => {
    await page.goto(`${url}/blank`);
    const viaFetch = await page.evaluate(() =>
      fetch('/api/apples').then((r) => [r.status, r.headers.get('www-authenticate')]),
    );
    const viaXhr = await page.evaluate(
      () =>
        new Promise<[number, string | null]>((resolve) => {
          const xhr = new XMLHttpRequest();
          xhr.open('GET', '/api/apples');
          xhr.onloadend = () => resolve([xhr.status, xhr.getResponseHeader('www-authenticate')]);
          xhr.send();
        }),
    );
    expect(viaFetch).toEqual([401, 'Tinyauth realm="apples"']);
    expect(viaXhr).toEqual([401, 'Tinyauth realm="apples"']);
    expect(asked).toEqual([]);
  });

  it('a wrong password on the login page shows its message, without a credentials dialog', async () => {
    for (const javaScriptEnabled of [true, false]) {
      await context.close();
      context = await browser.newContext({ javaScriptEnabled });
      page = await context.newPage();
      asked = await watchAuthDialogs(await context.newCDPSession(page));
      await page.goto(`${url}/login`);
      await page.fill('#login-username', 'reader');
      await page.fill('#login-password', 'wrong');
      const answer = page.waitForResponse(
        (r) => r.url().endsWith('/login') && r.request().method() === 'POST',
      );
      await page.click('#login-submit');
      const res = await answer;
      expect([javaScriptEnabled, res.status(), await res.headerValue('www-authenticate')]).toEqual([
        javaScriptEnabled,
        401,
        'Tinyauth realm="apples"',
      ]);
      await page.getByRole('alert').filter({ hasText: 'Wrong user name or password.' }).waitFor();
      expect(asked).toEqual([]);
    }
  }, 90_000);
});
