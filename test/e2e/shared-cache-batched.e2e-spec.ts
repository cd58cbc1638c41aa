/**
 * `cached` mode keeps each request's decision on its own even when checks with the same credentials arrive in one
 * tick and share a call to tinyauth (the per-tick batching): a later request for one of them is a hit, in this
 * process and, with the shared tier, on every replica. Real HTTP on both adapters, the compatible server behind a
 * recording proxy, and Debian's redis-server for the shared tier.
 */
import { Controller, Get, Module, Param, Req, UseGuards, type Type } from '@nestjs/common';
import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import { Public, RequireAction, TinyauthGuard, TinyauthModule, TinyauthService } from 'nestjs-tinyauth';
import type { HttpRequestLike } from '../../src/request/request-facts';
import { startTinyauthServer, type Fixture, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { ALICE_KEY, SERVICE_KEY, basic, guardFixture } from '../helpers/guard-fixture';
import { ADAPTERS, startApp, type RunningApp } from '../helpers/http-apps';
import { RedisServer } from '../helpers/redis-server';
import { startRecordingProxy, type ScriptedServer } from '../helpers/scripted-server';

jest.setTimeout(60_000);

@Controller('apples')
@UseGuards(TinyauthGuard)
class ApplesController {
  constructor(private readonly tinyauth: TinyauthService) {}

  /** Two checks with the same credentials in one tick: the batching merges them into one call to tinyauth. */
  @Get('pair/:a/:b')
  @Public()
  async pair(@Req() req: HttpRequestLike, @Param('a') a: string, @Param('b') b: string): Promise<object> {
    const check = (name: string) => [{ action: 'GetApple', resource: this.tinyauth.arn('apples', name) }];
    const [da, db] = await Promise.all([
      this.tinyauth.authorize(req, check(a)),
      this.tinyauth.authorize(req, check(b)),
    ]);
    return { a: da.authorized, b: db.authorized };
  }

  @Get(':name')
  @RequireAction('GetApple', 'apples', 'name')
  get(@Param('name') name: string): object {
    return { name };
  }
}

describe.each(ADAPTERS)('cached mode, checks batched in one tick (%s)', (adapter) => {
  let tinyauth: TinyauthServer;
  let proxy: ScriptedServer;
  let redis: RedisServer;

  beforeAll(async () => {
    tinyauth = await startTinyauthServer({ fixture: guardFixture as unknown as Fixture });
    proxy = await startRecordingProxy(tinyauth.url);
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
    await proxy?.close();
    await tinyauth?.close();
  });

  const calls = (): number => proxy.requests.filter((r) => r.url.includes('/authorize-by-token')).length;

  function redisStore(): { keyv: Keyv; close: () => Promise<void> } {
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 100 } });
    client.on('error', () => undefined);
    const keyv = new Keyv({ store: new KeyvRedis(client, { throwOnErrors: true }), throwOnErrors: true });
    keyv.on('error', () => undefined);
    return { keyv, close: () => keyv.disconnect() };
  }

  function appModule(store: Keyv | undefined): Type<unknown> {
    @Module({
      imports: [
        TinyauthModule.forRoot({
          endpoint: proxy.url,
          accessKeyId: SERVICE_KEY.id,
          secretAccessKey: SERVICE_KEY.secret,
          service: 'test',
          mode: 'cached',
          ...(store === undefined ? {} : { sharedCache: { store, timeoutMs: 1000 } }),
        }),
      ],
      controllers: [ApplesController],
    })
    class BatchedAppModule {}
    return BatchedAppModule;
  }

  const get = async (app: RunningApp, path: string): Promise<number> =>
    (await fetch(`${app.url}${path}`, { headers: { Authorization: basic(ALICE_KEY) } })).status;

  it('a check decided in a batch is a hit on its own afterwards', async () => {
    const app = await startApp(adapter, appModule(undefined));
    try {
      const res = await fetch(`${app.url}/apples/pair/b1/b2`, {
        headers: { Authorization: basic(ALICE_KEY) },
      });
      expect(await res.json()).toEqual({ a: true, b: true });
      const before = calls();
      expect(await get(app, '/apples/b1')).toBe(200);
      expect(await get(app, '/apples/b2')).toBe(200);
      expect(calls() - before).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('with the shared tier, each check of a batch is shared on its own: another replica hits it', async () => {
    const stores = [redisStore(), redisStore()];
    const [first, second] = await Promise.all(stores.map((s) => startApp(adapter, appModule(s.keyv))));
    try {
      const res = await fetch(`${first.url}/apples/pair/s1/s2`, {
        headers: { Authorization: basic(ALICE_KEY) },
      });
      expect(await res.json()).toEqual({ a: true, b: true });
      // Writes are in the background: wait for both entries (a key per check, not one for the pair).
      const deadline = Date.now() + 5000;
      let decisions = 0;
      while (decisions < 2 && Date.now() < deadline) {
        decisions = [...(await redis.dump()).keys()].filter((k) => k.includes(':d:')).length;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(decisions).toBe(2);
      const before = calls();
      expect(await get(second, '/apples/s1')).toBe(200);
      expect(await get(second, '/apples/s2')).toBe(200);
      expect(await get(first, '/apples/s1')).toBe(200);
      expect(calls() - before).toBe(0);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
