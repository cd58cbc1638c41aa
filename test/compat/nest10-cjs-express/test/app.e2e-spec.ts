import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startTinyauthServer, type Fixture, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { AppModule } from '../src/app.module';

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
let app: INestApplication;
let url: string;
let tinyauthStopped = false;

before(async () => {
  tinyauth = await startTinyauthServer({ fixture });
  process.env.TINYAUTH_ENDPOINT = tinyauth.url;
  process.env.TINYAUTH_ACCESS_KEY_ID = 'AKSERVICE';
  process.env.TINYAUTH_SECRET_ACCESS_KEY = 'service-secret';
  app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});

after(async () => {
  await app?.close();
  if (!tinyauthStopped) await tinyauth?.close();
});

test('allows a caller whose policy allows the action', async () => {
  const res = await fetch(`${url}/apples`, { headers: basic('AKALICE', 'alice-secret') });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { apples: ['fuji'], askedBy: 'alice' });
});

test('answers 401 without credentials', async () => {
  const res = await fetch(`${url}/apples`);
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { error: 'Authorization has failed', code: 'UnsignedRequest' });
});

test('answers 403 to a known caller without the permission', async () => {
  const res = await fetch(`${url}/apples`, { headers: basic('AKBOB', 'bob-secret') });
  assert.equal(res.status, 403);
  assert.deepEqual(await res.json(), { error: 'Authorization has failed', code: 'NotPermitted' });
});

test('redirects an anonymous visitor of a @RedirectToLogin page to the sign-in page', async () => {
  const res = await fetch(`${url}/page`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), '/login?next=%2Fpage');
});

test('signs in with the form and opens the page with the session cookie', async () => {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'alice', password: 'alice-pass', next: '/page' }).toString(),
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/page');
  const session = res.headers.getSetCookie().find((c) => c.startsWith('tinysess='));
  if (!session) throw new Error(`no tinysess cookie in ${res.headers.get('set-cookie')}`);
  const page = await fetch(`${url}/page`, { headers: { Cookie: session.split(';')[0] } });
  assert.equal(page.status, 200);
  assert.equal(await page.text(), 'Hello alice');
});

test('answers 503 when tinyauth is down', async () => {
  await tinyauth.close();
  tinyauthStopped = true;
  const res = await fetch(`${url}/apples`, { headers: basic('AKALICE', 'alice-secret') });
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { error: 'Authorization has failed', code: 'TinyauthUnavailable' });
});
