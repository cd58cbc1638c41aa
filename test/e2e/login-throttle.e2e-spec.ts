import { Module, type INestApplication, type Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TINYAUTH_CLOCK, TinyauthModule } from 'nestjs-tinyauth';
import { type TinyauthClock } from '../../src/login/login-rate-limiter';
import { demoFixture, startTinyauthServer } from 'nestjs-tinyauth/testing';
import { ADAPTERS, MemoryLogger, type AdapterName } from '../helpers/http-apps';

let tinyauth: { url: string; close(): Promise<void> };

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: demoFixture });
});

afterAll(async () => {
  await tinyauth?.close();
});

/** A clock the test moves by hand, so no window boundary can race. */
class FakeClock implements TinyauthClock {
  time = Date.UTC(2030, 0, 1);
  now(): number {
    return this.time;
  }
}

function appModule(): Type {
  @Module({
    imports: [
      TinyauthModule.forRoot({
        endpoint: tinyauth.url,
        accessKeyId: 'AKSAMPLESERVICE',
        secretAccessKey: 'sample-service-secret',
        service: 'apples',
        cookieSecure: false,
        loginWindowMs: 60_000,
        loginMaxFailuresPerAddress: 3,
        loginMaxFailuresPerUser: 5,
        login: true,
      }),
    ],
  })
  class AppModule {}
  return AppModule;
}

interface Running {
  url: string;
  clock: FakeClock;
  logs: MemoryLogger;
  close(): Promise<void>;
}

/** The app with a fake clock; it trusts the loopback proxy, so X-Forwarded-For plays the client address. */
async function start(adapter: AdapterName): Promise<Running> {
  const clock = new FakeClock();
  const logs = new MemoryLogger();
  const moduleRef = await Test.createTestingModule({ imports: [appModule()] })
    .overrideProvider(TINYAUTH_CLOCK)
    .useValue(clock)
    .compile();
  let app: INestApplication;
  if (adapter === 'fastify') {
    app = moduleRef.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter({ trustProxy: '127.0.0.1' }),
    );
  } else {
    const express = moduleRef.createNestApplication<NestExpressApplication>();
    express.set('trust proxy', 'loopback');
    app = express;
  }
  app.useLogger(logs);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, clock, logs, close: () => app.close() };
}

function signIn(
  app: Running,
  password: string,
  options: { from?: string; username?: string; form?: boolean } = {},
): Promise<Response> {
  const fields = { username: options.username ?? 'reader', password, next: '/apples' };
  return fetch(`${app.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': options.form ? 'application/x-www-form-urlencoded' : 'application/json',
      'X-Forwarded-For': options.from ?? '203.0.113.5',
    },
    body: options.form ? new URLSearchParams(fields).toString() : JSON.stringify(fields),
  });
}

async function failTimes(app: Running, times: number, from: string, username = 'reader'): Promise<void> {
  for (let i = 0; i < times; i++) {
    expect((await signIn(app, `guess-${i}`, { from, username })).status).toBe(401);
  }
}

describe.each(ADAPTERS)('sign-in limits on %s', (adapter) => {
  let app: Running;

  beforeEach(async () => {
    app = await start(adapter);
  });

  afterEach(async () => {
    await app?.close();
    expect(app.logs.lines.join('\n')).not.toMatch(/reader-pass|guess-\d/);
  });

  it('stops a script trying passwords: 429 with Retry-After, even for the right one, before tinyauth is asked', async () => {
    await failTimes(app, 3, '203.0.113.5');
    const limited = await signIn(app, 'reader-pass');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(limited.headers.getSetCookie()).toEqual([]);
    expect(await limited.json()).toEqual({ error: 'Too many failed sign-ins. Try again in 1 minute.' });
  });

  it('counts Retry-After down with the clock and lets the address in when its window ends', async () => {
    await failTimes(app, 3, '203.0.113.5');
    app.clock.time += 30_500;
    const limited = await signIn(app, 'reader-pass');
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(await limited.json()).toEqual({ error: 'Too many failed sign-ins. Try again in 30 seconds.' });
    app.clock.time += 29_499;
    expect((await signIn(app, 'reader-pass')).status).toBe(429);
    app.clock.time += 1;
    expect((await signIn(app, 'reader-pass')).status).toBe(200);
  });

  it('shows a no-JavaScript form post the page again with 429, the wait and the user name', async () => {
    await failTimes(app, 3, '203.0.113.5');
    const res = await signIn(app, 'reader-pass', { form: true });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'self'; frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain(
      'role="alert" aria-live="assertive">Too many failed sign-ins. Try again in 1 minute.</div>',
    );
    expect(html).toContain('name="username" type="text" value="reader"');
    expect(html).toContain('name="next" value="/apples"');
  });

  it("limits the attacker's address before the victim's name: the victim still signs in from elsewhere", async () => {
    await failTimes(app, 3, '203.0.113.5');
    expect((await signIn(app, 'x', { from: '203.0.113.5', username: 'admin' })).status).toBe(429);
    const victim = await signIn(app, 'reader-pass', { from: '192.0.2.10' });
    expect(victim.status).toBe(200);
  });

  it('limits a name attacked from several addresses for one window, never for good', async () => {
    await failTimes(app, 3, '203.0.113.5');
    await failTimes(app, 2, '203.0.113.6');
    const locked = await signIn(app, 'reader-pass', { from: '192.0.2.10' });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    // Other names are not affected from that address.
    expect((await signIn(app, 'admin-pass', { from: '192.0.2.10', username: 'admin' })).status).toBe(200);
    app.clock.time += 60_000;
    expect((await signIn(app, 'reader-pass', { from: '192.0.2.10' })).status).toBe(200);
  });

  it("a successful sign-in clears the name's failures", async () => {
    await failTimes(app, 2, '203.0.113.5');
    await failTimes(app, 2, '203.0.113.6');
    expect((await signIn(app, 'reader-pass', { from: '192.0.2.10' })).status).toBe(200);
    await failTimes(app, 2, '198.51.100.1');
    await failTimes(app, 2, '198.51.100.2');
    expect((await signIn(app, 'reader-pass', { from: '192.0.2.10' })).status).toBe(200);
  });

  it('logs reaching a limit once per window, naming the address or the name, never a password', async () => {
    const limitLines = (): string[] => app.logs.lines.filter((l) => l.includes('sign-in limit reached'));
    await failTimes(app, 3, '203.0.113.5');
    for (let i = 0; i < 4; i++) await signIn(app, `guess-more-${i}`);
    expect(limitLines()).toEqual([
      'WARN sign-in limit reached for client address "203.0.113.5" (3 failed sign-ins) within 60 s; further attempts get 429 until the window ends',
    ]);
    await failTimes(app, 2, '203.0.113.6');
    expect(limitLines()[1]).toBe(
      'WARN sign-in limit reached for user name "reader" (5 failed sign-ins) within 60 s; further attempts get 429 until the window ends',
    );
    app.clock.time += 60_000;
    await failTimes(app, 3, '203.0.113.5', 'admin');
    expect(limitLines()).toHaveLength(3);
    expect(app.logs.lines.join('\n')).not.toMatch(/guess-more/);
  });
});
