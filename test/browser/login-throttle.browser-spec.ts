import type { AddressInfo } from 'node:net';
import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from './launch';
import { TinyauthModule } from 'nestjs-tinyauth';
import { demoFixture, startTinyauthServer } from 'nestjs-tinyauth/testing';

// What page.evaluate callbacks touch in the browser (the project compiles without the DOM library).
declare const document: { querySelector(selector: string): unknown };
declare function getComputedStyle(element: unknown): { borderRadius: string };

async function startApp(
  adapter: 'express' | 'fastify',
  endpoint: string,
): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [
      TinyauthModule.forRoot({
        endpoint,
        accessKeyId: 'AKSAMPLESERVICE',
        secretAccessKey: 'sample-service-secret',
        service: 'apples',
        cookieSecure: false, // the test runs over plain http on 127.0.0.1
        loginMaxFailuresPerAddress: 2,
        loginMaxFailuresPerUser: 3,
        loginWindowMs: 600_000, // long enough that no window can end while the test runs
        login: true,
      }),
    ],
  })
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
}, 60000);

afterAll(async () => {
  await browser?.close();
  await tinyauth?.close();
});

/** Failed asset loads and script errors: what would make the 429 page unusable. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() === 404) problems.push(`404: ${res.url()}`);
  });
  return problems;
}

const LIMIT_MESSAGE = 'Too many failed sign-ins. Try again in 10 minutes.';

describe.each(['express', 'fastify'] as const)('sign-in limit in Chromium (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;
  let context: BrowserContext;

  beforeEach(async () => {
    ({ app, url } = await startApp(adapter, tinyauth.url));
  });

  afterEach(async () => {
    await context?.close();
    await app?.close();
  });

  it('tells the script path to wait, in the alert region, without leaving the page', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${url}/login?next=%2Fapples`);
    const alert = page.getByRole('alert');
    for (const attempt of [1, 2]) {
      await page.getByLabel('User name').fill('reader');
      await page.getByLabel('Password').fill(`wrong-${attempt}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await alert.filter({ hasText: 'Wrong user name or password.' }).waitFor();
      await page.getByRole('button', { name: 'Sign in' }).isEnabled();
    }
    await page.getByLabel('Password').fill('reader-pass');
    const [limited] = await Promise.all([
      page.waitForResponse((res) => res.url() === `${url}/login` && res.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(limited.status()).toBe(429);
    await alert.filter({ hasText: LIMIT_MESSAGE }).waitFor();
    expect(page.url()).toBe(`${url}/login?next=%2Fapples`);
    await expect(page.getByRole('button', { name: 'Sign in' }).isEnabled()).resolves.toBe(true);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('tinysess');
    expect(problems).toEqual([]);
  });

  it('shows a browser without JavaScript a usable page with the wait', async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${url}/login?next=%2Fapples`);
    for (const attempt of [1, 2]) {
      await page.getByLabel('User name').fill('reader');
      await page.getByLabel('Password').fill(`wrong-${attempt}`);
      const [failed] = await Promise.all([
        page.waitForNavigation(),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      expect(failed?.status()).toBe(401);
    }
    await page.getByLabel('Password').fill('reader-pass');
    const [limited] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(limited?.status()).toBe(429);
    // The rest of the 10-minute window, in whole seconds; a minute of margin for the test's own run time.
    const retryAfter = Number(await limited?.headerValue('retry-after'));
    expect(retryAfter).toBeGreaterThan(540);
    expect(retryAfter).toBeLessThanOrEqual(600);
    await expect(page.getByRole('alert').textContent()).resolves.toBe(LIMIT_MESSAGE);
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('User name').inputValue()).resolves.toBe('reader');
    await expect(page.getByRole('button', { name: 'Sign in' }).isEnabled()).resolves.toBe(true);
    // The stylesheet loaded: the card has its rounded corners, so the page is the styled one, not bare HTML.
    const radius = await page.evaluate(() => getComputedStyle(document.querySelector('.card')).borderRadius);
    expect(radius).not.toBe('0px');
    expect((await context.cookies()).map((c) => c.name)).not.toContain('tinysess');
    expect(problems).toEqual([]);
  });
});
