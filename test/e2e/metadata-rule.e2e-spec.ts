/**
 * The metadata rule, over every combination of {nothing, @Public, @RequireAction, both} on {base class, class,
 * handler}, with TinyauthGuard as the global guard, on Express and Fastify over real HTTP:
 * - the most specific target that declares anything wins: handler, then class, then base class (own metadata);
 * - @Public() alone on a handler opens it even inside a class that requires an action;
 * - @RequireAction on a handler adds to the requirements of the nearest declaring class;
 * - @Public() and @RequireAction on the same target stops start-up, naming the class and method.
 * Each expected status is derived from that rule below, independently of the library's code.
 */
import { Controller, Get, Module, type INestApplication, type Type } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { Public, RequireAction, TinyauthGuard, TinyauthModule } from 'nestjs-tinyauth';
import { ALICE_KEY, basic, guardFixture, SERVICE_KEY } from '../helpers/guard-fixture';
import {
  ACTION,
  COMBOS,
  comboName as name,
  contradictory,
  controllerFor,
  expectedAccess,
} from '../helpers/metadata-combos';

function moduleFor(tinyauthUrl: string, controllers: Type[]): Type {
  @Module({
    imports: [
      TinyauthModule.forRoot({
        endpoint: tinyauthUrl,
        accessKeyId: SERVICE_KEY.id,
        secretAccessKey: SERVICE_KEY.secret,
        service: 'test',
      }),
    ],
    controllers,
    providers: [{ provide: APP_GUARD, useClass: TinyauthGuard }],
  })
  class MetadataRuleModule {}
  return MetadataRuleModule;
}

let tinyauth: TinyauthServer;
beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: guardFixture });
});
afterAll(() => tinyauth.close());

describe.each(['express', 'fastify'] as const)('the metadata rule on %s', (adapter) => {
  const create = (module: Type): Promise<INestApplication> =>
    adapter === 'fastify'
      ? NestFactory.create(module, new FastifyAdapter(), { logger: false })
      : NestFactory.create(module, { logger: false });

  describe('consistent declarations: every request is decided by the rule', () => {
    const consistent = COMBOS.filter((c) => !contradictory(c));
    let app: INestApplication;
    let url: string;
    beforeAll(async () => {
      const controllers = consistent.map((c, i) => controllerFor(c, `r${i}`));
      app = await create(moduleFor(tinyauth.url, controllers));
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    });
    afterAll(() => app.close());

    it.each(consistent.map((c, i) => [name(c), c, i] as const))('%s', async (_n, combo, i) => {
      const access = expectedAccess(combo);
      const anonymous = await fetch(`${url}/r${i}`);
      const asAlice = await fetch(`${url}/r${i}`, { headers: { Authorization: basic(ALICE_KEY) } });
      if (access === 'open') {
        expect([anonymous.status, asAlice.status]).toEqual([200, 200]);
        expect(await anonymous.text()).toBe('open!');
      } else if (access === 'undeclared') {
        expect([anonymous.status, asAlice.status]).toEqual([403, 403]);
      } else {
        expect(anonymous.status).toBe(401);
        expect(asAlice.status).toBe(access.includes(ACTION.base) ? 403 : 200);
      }
    });
  });

  describe('@Public() and @RequireAction() on the same target stop start-up', () => {
    it.each(COMBOS.filter(contradictory).map((c) => [name(c), c] as const))('%s', async (_n, combo) => {
      const app = await create(moduleFor(tinyauth.url, [controllerFor(combo, 'contra')]));
      try {
        const failure = app.init().then(
          () => undefined,
          (err: unknown) => err as Error,
        );
        const err = await failure;
        expect(err).toBeInstanceOf(Error);
        const place =
          combo.handler === 'both'
            ? 'Routes_contra.get'
            : combo.cls === 'both'
              ? 'Routes_contra'
              : 'Base_contra';
        expect(err!.message).toContain(place);
        expect(err!.message).toMatch(/@Public\(\) and @RequireAction\(\)/);
      } finally {
        await app.close().catch(() => undefined);
      }
    });
  });
});

describe("the issue's example: @Public() over @RequireAction('AdminOnly') on a controller", () => {
  it('refuses to start instead of answering 200 to anyone', async () => {
    @Public()
    @RequireAction('AdminOnly', 'admin')
    @Controller('contra-class')
    class ContraController {
      @Get() get() {
        return 'open!';
      }
    }
    const app = await NestFactory.create(moduleFor(tinyauth.url, [ContraController]), { logger: false });
    await expect(app.init()).rejects.toThrow(/ContraController/);
    await app.close().catch(() => undefined);
  });
});
