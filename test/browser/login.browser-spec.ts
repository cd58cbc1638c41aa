import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Controller, Get, Header, Module, UseGuards, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from './launch';
import {
  RedirectToLogin,
  RequireAction,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
} from 'nestjs-tinyauth';
import { demoFixture, startTinyauthServer } from 'nestjs-tinyauth/testing';
import { summarizePng } from './png';

// What page.evaluate callbacks touch in the browser (the project compiles without the DOM library).
declare const document: {
  activeElement: { id: string } | null;
  cookie: string;
  documentElement: { scrollWidth: number };
};

const OUTPUT = join(__dirname, '..', '..', 'test-output');

@Controller()
class PagesController {
  @Get('/')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @UseGuards(TinyauthGuard)
  @RedirectToLogin()
  @RequireAction('AccessWebInterface')
  home(@TinyauthIdentity() user: string | undefined): string {
    const who = user === 'reader' ? 'reader' : 'someone';
    return `<!doctype html><title>Apples</title><h1>Apples</h1><p id="who">Signed in as ${who}</p><a href="/logout">Sign out</a>`;
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
    cookieSecure: false, // the test runs over plain http on 127.0.0.1
    login: true,
  });
  @Module({ imports: [tinyauth], controllers: [PagesController] })
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

let tinyauth: { url: string; close(): Promise<void> };
let browser: Browser;

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: demoFixture });
  browser = await launchChromium();
  mkdirSync(OUTPUT, { recursive: true });
}, 60000);

afterAll(async () => {
  await browser?.close();
  await tinyauth?.close();
});

/** Records what would mean a broken page: CSP violations, script errors, failed asset loads. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    // 401 answers to the wrong password are expected; the sample page itself has no favicon.
    const expected = /401|403/.test(msg.text()) || msg.location().url.endsWith('/favicon.ico');
    if (msg.type() === 'error' && !expected) problems.push(`console: ${msg.text()} ${msg.location().url}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A navigation (sign-in, sign-out) cancels what the previous page was still loading; that is not a fault.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(
      `requestfailed: ${req.resourceType()} ${req.method()} ${req.url()} ${req.failure()?.errorText}`,
    );
  });
  page.on('response', (res) => {
    if (res.status() === 404 && !res.url().endsWith('/favicon.ico')) problems.push(`404: ${res.url()}`);
  });
  return problems;
}

describe.each(['express', 'fastify'] as const)('sign-in in Chromium (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;
  let context: BrowserContext;

  beforeAll(async () => {
    ({ app, url } = await startApp(adapter, tinyauth.url));
  });

  afterAll(async () => {
    await app?.close();
  });

  afterEach(async () => {
    await context?.close();
  });

  it('redirects to the login page, refuses a wrong password, signs in, keeps the session and signs out', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchProblems(page);

    await page.goto(`${url}/?tab=fruit`);
    expect(page.url()).toBe(`${url}/login?next=${encodeURIComponent('/?tab=fruit')}`);
    await expect(page.title()).resolves.toBe('Sign in · apples');
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);

    if (adapter === 'express') {
      const desktop = await page.screenshot({ path: join(OUTPUT, 'login-page.png'), fullPage: true });
      const phonePage = await context.newPage();
      await phonePage.setViewportSize({ width: 390, height: 844 });
      await phonePage.goto(`${url}/login`);
      const phone = await phonePage.screenshot({
        path: join(OUTPUT, 'login-page-phone.png'),
        fullPage: true,
      });
      const phoneWidth = await phonePage.evaluate(() => document.documentElement.scrollWidth);
      expect(phoneWidth).toBeLessThanOrEqual(390); // no sideways scrolling on a phone
      await phonePage.close();
      for (const png of [desktop, phone]) {
        const summary = summarizePng(png);
        expect(png.length).toBeGreaterThan(5000);
        expect(summary.distinctColors).toBeGreaterThan(20); // a card with text, not a blank page
      }
    }

    // Keyboard order: user name (autofocused), password, button.
    const focused = (): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');
    await expect(focused()).resolves.toBe('login-username');
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('login-password');
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('login-submit');

    await page.getByLabel('User name').fill('reader');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'Wrong user name or password.' }).waitFor();
    expect(page.url()).toContain('/login?next=');
    await expect(page.getByLabel('Password').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('Password').inputValue()).resolves.toBe('');
    if (adapter === 'express') await page.screenshot({ path: join(OUTPUT, 'login-page-error.png') });

    await page.getByLabel('Password').fill('reader-pass');
    await Promise.all([
      page.waitForURL(`${url}/?tab=fruit`),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await expect(page.textContent('#who')).resolves.toBe('Signed in as reader');

    const session = (await context.cookies()).find((c) => c.name === 'tinysess');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(session?.expires).toBeGreaterThan(Date.now() / 1000 + 7 * 3600);
    await expect(page.evaluate(() => document.cookie)).resolves.not.toContain('tinysess');

    await page.reload();
    expect(page.url()).toBe(`${url}/?tab=fruit`);
    await expect(page.textContent('#who')).resolves.toBe('Signed in as reader');

    await Promise.all([
      page.waitForURL(`${url}/login`),
      page.getByRole('link', { name: 'Sign out' }).click(),
    ]);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('tinysess');
    await page.goto(`${url}/`);
    expect(page.url()).toBe(`${url}/login?next=%2F`);

    expect(problems).toEqual([]);
  });

  it('works with JavaScript disabled (plain form post)', async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${url}/?tab=veg`);
    expect(page.url()).toBe(`${url}/login?next=${encodeURIComponent('/?tab=veg')}`);

    await page.getByLabel('User name').fill('reader');
    await page.getByLabel('Password').fill('wrong');
    const failed = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(failed[0]?.status()).toBe(401);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Wrong user name or password.');
    await expect(page.getByLabel('User name').inputValue()).resolves.toBe('reader');

    await page.getByLabel('Password').fill('reader-pass');
    await Promise.all([
      page.waitForURL(`${url}/?tab=veg`),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await expect(page.textContent('#who')).resolves.toBe('Signed in as reader');
  });
});
