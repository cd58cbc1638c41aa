/**
 * `TinyauthHealthIndicator` under Terminus, over real HTTP on Express and Fastify, against the compatible server:
 * up, down (tinyauth gone, or refusing this service's key), and in local mode degraded while stale keys stand in.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { TinyauthModule, type TinyauthModuleOptions } from 'nestjs-tinyauth';
import { TinyauthHealthIndicator } from 'nestjs-tinyauth/terminus';
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { ApplesController } from '../helpers/guard-app';
import { ADAPTERS, startApp, type RunningApp } from '../helpers/http-apps';
import { ALICE_KEY, SERVICE_KEY, basic, guardFixture } from '../helpers/guard-fixture';
import { freezeClock } from '../helpers/frozen-clock';

// Time moves only when a test says so: the local mode's 1 ms key lifetime cannot race the machine's speed.
const clock = freezeClock(Date.now());
afterAll(() => clock.restore());

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly tinyauth: TinyauthHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.tinyauth.isHealthy('tinyauth')]);
  }

  @Get('strict')
  @HealthCheck()
  strict() {
    return this.health.check([() => this.tinyauth.isHealthy('tinyauth', { degradedIsDown: true })]);
  }
}

function healthApp(options: TinyauthModuleOptions) {
  @Module({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      TinyauthModule.forRoot({ ...options, isGlobal: true }),
    ],
    controllers: [HealthController, ApplesController],
    providers: [TinyauthHealthIndicator],
  })
  class HealthAppModule {}
  return HealthAppModule;
}

async function health(app: RunningApp, path = '/health'): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${app.url}${path}`);
  return { status: res.status, body: await res.json() };
}

describe.each(ADAPTERS)('TinyauthHealthIndicator on %s', (adapter) => {
  let tinyauth: TinyauthServer;
  let app: RunningApp | undefined;
  const options = (extra: Partial<TinyauthModuleOptions> = {}): TinyauthModuleOptions => ({
    endpoint: tinyauth.url,
    accessKeyId: SERVICE_KEY.id,
    secretAccessKey: SERVICE_KEY.secret,
    service: 'test',
    ...extra,
  });
  beforeEach(async () => {
    tinyauth = await startTinyauthServer({ fixture: guardFixture });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await tinyauth.close().catch(() => undefined);
  });

  it('is up while tinyauth answers with our key accepted, and down once it is gone', async () => {
    app = await startApp(adapter, healthApp(options()));
    expect(await health(app)).toEqual({
      status: 200,
      body: {
        status: 'ok',
        info: { tinyauth: { status: 'up', mode: 'remote', reachable: true } },
        error: {},
        details: { tinyauth: { status: 'up', mode: 'remote', reachable: true } },
      },
    });
    await tinyauth.close();
    expect(await health(app)).toEqual({
      status: 503,
      body: {
        status: 'error',
        info: {},
        error: { tinyauth: { status: 'down', mode: 'remote', reachable: false, reason: 'unreachable' } },
        details: { tinyauth: { status: 'down', mode: 'remote', reachable: false, reason: 'unreachable' } },
      },
    });
  });

  it('is down when tinyauth refuses this service key', async () => {
    app = await startApp(adapter, healthApp(options({ secretAccessKey: 'not-the-service-secret' })));
    const res = await health(app);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      error: { tinyauth: { status: 'down', reachable: false, reason: 'service key rejected' } },
    });
    expect(JSON.stringify(res.body)).not.toContain('not-the-service-secret');
  });

  it('in local mode reports fresh caches, then degraded (stale) through an outage, then down when nothing is left', async () => {
    app = await startApp(
      adapter,
      healthApp(options({ mode: 'local', keyCacheMaxMs: 1, maxStaleMs: 60_000 })),
    );
    const local = (extra: object) => ({ mode: 'local', ...extra });
    expect((await health(app)).body).toMatchObject({
      status: 'ok',
      info: {
        tinyauth: local({ status: 'up', reachable: true, keys: 'empty', policies: 'empty', degraded: false }),
      },
    });
    const alice = { Authorization: basic(ALICE_KEY) };
    expect((await fetch(`${app.url}/apples/fred`, { headers: alice })).status).toBe(200);
    expect((await health(app)).body).toMatchObject({
      info: { tinyauth: local({ status: 'up', reachable: true, policies: 'fresh', degraded: false }) },
    });

    await tinyauth.close();
    clock.advance(10);
    expect((await fetch(`${app.url}/apples/fred`, { headers: alice })).status).toBe(200);
    const degraded = local({
      status: 'up',
      reachable: false,
      reason: 'unreachable',
      keys: 'stale',
      policies: 'fresh',
      degraded: true,
    });
    expect(await health(app)).toEqual({
      status: 200,
      body: { status: 'ok', info: { tinyauth: degraded }, error: {}, details: { tinyauth: degraded } },
    });
    const strict = await health(app, '/health/strict');
    expect(strict.status).toBe(503);
    expect(strict.body).toMatchObject({ error: { tinyauth: { ...degraded, status: 'down' } } });
  });

  it('in local mode is down when tinyauth is gone and nothing is cached', async () => {
    app = await startApp(adapter, healthApp(options({ mode: 'local' })));
    await tinyauth.close();
    const res = await health(app);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      error: {
        tinyauth: { status: 'down', reachable: false, keys: 'empty', policies: 'empty', degraded: true },
      },
    });
  });
});
