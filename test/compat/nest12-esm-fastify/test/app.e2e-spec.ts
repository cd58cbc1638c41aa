import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTinyauthServer, type Fixture, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { AppModule } from '../src/app.module.js';

const fixture: Fixture = {
  users: [
    {
      username: 'apples-service',
      access_keys: [['AKSERVICE', 'service-secret']],
      policies: [
        {
          name: 'may-ask-tinyauth',
          policy: {
            Statement: [
              {
                Effect: 'Allow',
                Action: ['tinyauth:BatchAuthorizeByToken', 'tinyauth:GetTokenForLogin'],
                Resource: 'arn:tinyauth:tinyauth:::services/apples',
              },
            ],
          },
        },
      ],
    },
    {
      username: 'alice',
      password: 'alice-pass',
      access_keys: [['AKALICE', 'alice-secret']],
      policies: [
        {
          name: 'apples',
          policy: {
            Statement: [
              { Effect: 'Allow', Action: ['apples:ListApples', 'apples:AccessWebInterface'], Resource: '*' },
            ],
          },
        },
      ],
    },
    { username: 'bob', access_keys: [['AKBOB', 'bob-secret']] },
  ],
};

const basic = (id: string, secret: string) => ({
  Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
});

let tinyauth: TinyauthServer;
let app: NestFastifyApplication;
let url: string;
let tinyauthStopped = false;

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture });
  process.env.TINYAUTH_ENDPOINT = tinyauth.url;
  process.env.TINYAUTH_ACCESS_KEY_ID = 'AKSERVICE';
  process.env.TINYAUTH_SECRET_ACCESS_KEY = 'service-secret';
  app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});

afterAll(async () => {
  await app?.close();
  if (!tinyauthStopped) await tinyauth?.close();
});

it('allows a caller whose policy allows the action', async () => {
  const res = await fetch(`${url}/apples`, { headers: basic('AKALICE', 'alice-secret') });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ apples: ['fuji'], askedBy: 'alice' });
});

it('answers 401 without credentials', async () => {
  const res = await fetch(`${url}/apples`);
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual({ error: 'Authorization has failed', code: 'UnsignedRequest' });
});

it('answers 403 to a known caller without the permission', async () => {
  const res = await fetch(`${url}/apples`, { headers: basic('AKBOB', 'bob-secret') });
  expect(res.status).toBe(403);
  expect(await res.json()).toEqual({ error: 'Authorization has failed', code: 'NotPermitted' });
});

it('redirects an anonymous visitor of a @RedirectToLogin page to the sign-in page', async () => {
  const res = await fetch(`${url}/page`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('/login?next=%2Fpage');
});

it('signs in with the form and opens the page with the session cookie', async () => {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'alice', password: 'alice-pass', next: '/page' }).toString(),
  });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/page');
  const session = res.headers.getSetCookie().find((c) => c.startsWith('tinysess='));
  if (!session) throw new Error(`no tinysess cookie in ${res.headers.get('set-cookie')}`);
  const page = await fetch(`${url}/page`, { headers: { Cookie: session.split(';')[0] } });
  expect(page.status).toBe(200);
  expect(await page.text()).toBe('Hello alice');
});

it('answers 503 when tinyauth is down', async () => {
  await tinyauth.close();
  tinyauthStopped = true;
  const res = await fetch(`${url}/apples`, { headers: basic('AKALICE', 'alice-secret') });
  expect(res.status).toBe(503);
  expect(await res.json()).toEqual({ error: 'Authorization has failed', code: 'TinyauthUnavailable' });
});
