import { Injectable, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Keyv } from 'keyv';
import {
  TinyauthModule,
  TinyauthOptionsError,
  TinyauthService,
  type Authorizer,
  type TinyauthDecision,
  type TinyauthModuleOptions,
} from 'nestjs-tinyauth';
import { FailClosedAuthorizer } from '../../../src/authorizer/fail-closed.authorizer';
import type { TinyauthCheck } from '../../../src/decision';
import { redactedMessage } from '../../../src/module/tinyauth.module';

const valid = {
  endpoint: 'http://127.0.0.1:5000',
  accessKeyId: 'AK',
  secretAccessKey: 'top-secret',
  service: 'apples',
};

const allowNothing: Authorizer = {
  authorize: () =>
    Promise.resolve({ authorized: false, errorCode: 'NotPermitted', permitted: {}, notPermitted: {} }),
};

/** The message start-up fails with, for options given as they would be to forRoot. */
async function startUpError(options: Record<string, unknown>): Promise<Error> {
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [TinyauthModule.forRoot(options as unknown as TinyauthModuleOptions)],
    }).compile();
    await moduleRef.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected start-up to fail');
}

class NeedsSomethingMissing implements Authorizer {
  constructor(readonly missing: Logger) {}
  authorize(): Promise<TinyauthDecision> {
    return allowNothing.authorize({} as never, []);
  }
}
Injectable()(NeedsSomethingMissing);
Reflect.defineMetadata('design:paramtypes', [Logger], NeedsSomethingMissing);

describe('the authorizer option at start-up', () => {
  it.each<[string, unknown, string]>([
    ['an instance', allowNothing, 'got object); to use an instance, give a factory returning it'],
    ['a string', 'cached', 'got string'],
    ['a number', 42, 'got number'],
    ['null', null, 'got null'],
    ['an array', [allowNothing], 'got an array'],
  ])('refuses %s, naming the option', async (_name, authorizer, detail) => {
    const err = await startUpError({ ...valid, authorizer });
    expect(err).toBeInstanceOf(TinyauthOptionsError);
    expect(err.message).toContain(
      'authorizer: must be a class implementing Authorizer or a factory function',
    );
    expect(err.message).toContain(detail);
    expect(err.message).not.toContain('top-secret');
  });

  it('refuses authorizer with bypass, and with mode, saying why', async () => {
    const withBypass = await startUpError({
      service: 'apples',
      bypass: true,
      authorizer: () => allowNothing,
    });
    expect(withBypass.message).toContain('authorizer: cannot be combined with bypass');
    const withMode = await startUpError({ ...valid, mode: 'cached', authorizer: () => allowNothing });
    expect(withMode.message).toContain('authorizer: cannot be combined with mode');
  });

  it('reports the authorizer problem together with the other bad options', async () => {
    const err = await startUpError({ ...valid, timeoutMs: -1, authorizer: 'remote' });
    expect(err.message).toContain('authorizer: must be');
    expect(err.message).toContain('timeoutMs:');
  });

  it('accepts sharedCache beside a factory (for strategies.cached()), not beside no strategy and no cached mode', async () => {
    const store = new Keyv();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TinyauthModule.forRoot({
          ...valid,
          sharedCache: { store },
          authorizer: (c) => c.strategies.cached(),
        }),
      ],
    }).compile();
    await moduleRef.close();
    const err = await startUpError({ ...valid, sharedCache: { store } });
    expect(err.message).toContain("sharedCache: only used with mode 'cached'");
  });

  it.each<[string, unknown, string]>([
    [
      'a factory returning nothing',
      () => undefined,
      'authorizer: the factory gave undefined without an authorize() method',
    ],
    [
      'a factory returning a plain object',
      () => ({ decide: 1 }),
      'authorizer: the factory gave an object without an authorize() method',
    ],
    [
      'a factory that throws',
      () => {
        throw new RangeError('no config');
      },
      'authorizer: the factory failed at start-up: no config',
    ],
    [
      'an async factory that rejects',
      () => Promise.reject(new Error('later')),
      'authorizer: the factory failed at start-up: later',
    ],
    [
      'a factory whose error quotes a connection URL with its password',
      () => Promise.reject(new Error('connect ECONNREFUSED redis://app:hunter2@10.0.0.5:6379')),
      'authorizer: the factory failed at start-up: connect ECONNREFUSED redis://***@10.0.0.5:6379',
    ],
    [
      'a class whose dependencies cannot be resolved',
      NeedsSomethingMissing,
      'authorizer: class NeedsSomethingMissing failed at start-up:',
    ],
  ])('stops start-up on %s', async (_name, authorizer, message) => {
    const err = await startUpError({ ...valid, authorizer });
    expect(err).toBeInstanceOf(TinyauthOptionsError);
    expect(err.message).toContain(message);
  });

  it('starts with a class or a factory, sync or async, and TinyauthService reaches it', async () => {
    class Refuser implements Authorizer {
      authorize(): Promise<TinyauthDecision> {
        return allowNothing.authorize({} as never, []);
      }
    }
    for (const authorizer of [Refuser, () => allowNothing, async () => Promise.resolve(allowNothing)]) {
      const moduleRef = await Test.createTestingModule({
        imports: [TinyauthModule.forRoot({ ...valid, authorizer })],
      }).compile();
      const decision = await moduleRef
        .get(TinyauthService)
        .authorize({ method: 'GET', url: '/', headers: {} }, [{ action: 'GetApple', resource: 'arn' }]);
      expect(decision).toMatchObject({ authorized: false, errorCode: 'NotPermitted' });
      await moduleRef.close();
    }
  });

  it.each([false, true])(
    "calls a class strategy's lifecycle hooks, and starts the built-ins a factory wrapped (explain: %s)",
    async (explain) => {
      const calls: string[] = [];
      class Hooked implements Authorizer {
        authorize(): Promise<TinyauthDecision> {
          return allowNothing.authorize({} as never, []);
        }
        onModuleInit(): void {
          calls.push('init');
        }
        onModuleDestroy(): void {
          calls.push('destroy');
        }
        onApplicationShutdown(): void {
          calls.push('shutdown');
        }
      }
      const classRef = await Test.createTestingModule({
        imports: [TinyauthModule.forRoot({ ...valid, explain, authorizer: Hooked })],
      }).compile();
      await classRef.init();
      await classRef.close();
      expect(calls).toEqual(['init', 'destroy', 'shutdown']);

      // The cached strategy's shared tier reads the store at start-up, though the wrapper forwards no hook.
      const store = new Keyv();
      const reads: string[] = [];
      const get = store.get.bind(store);
      store.get = ((key: string) => {
        reads.push(key);
        return get(key);
      }) as typeof store.get;
      const factoryRef = await Test.createTestingModule({
        imports: [
          TinyauthModule.forRoot({
            ...valid,
            explain,
            sharedCache: { store },
            authorizer: ({ strategies }) => {
              const cached = strategies.cached();
              return { authorize: (facts, checks, context) => cached.authorize(facts, checks, context) };
            },
          }),
        ],
      }).compile();
      expect(reads).toEqual([]);
      await factoryRef.init();
      expect(reads.length).toBeGreaterThan(0);
      await factoryRef.close();
    },
  );
});

describe('FailClosedAuthorizer, the contract a custom strategy is held to', () => {
  const facts = { method: 'GET', url: '/', headers: [], sourceIp: '10.0.0.1', params: {} };
  const fuji = { action: 'GetApple', resource: 'arn:tinyauth:apples:default::apples/fuji' };
  // Allows whatever it was asked for: `every` over nothing is true.
  const allowsWhatItWasAsked: Authorizer = {
    authorize: (_facts, asked) => {
      const permitted: Record<string, string[]> = {};
      for (const { action, resource } of asked) (permitted[action] ??= []).push(resource);
      return Promise.resolve({ authorized: true, identity: 'alice', permitted, notPermitted: {} });
    },
  };

  it('never allows an empty list of checks (tinyauth refuses one)', async () => {
    const decision = await new FailClosedAuthorizer(allowsWhatItWasAsked).authorize(facts, []);
    expect(decision.authorized).toBe(false);
    expect(decision.errorCode).toBe('TinyauthUnavailable');
  });

  it('checks the answer against the checks as asked, whatever the strategy does to its copy', async () => {
    const emptiesTheList: Authorizer = {
      authorize: (f, asked) => {
        (asked as TinyauthCheck[]).splice(0);
        return allowsWhatItWasAsked.authorize(f, asked);
      },
    };
    const checks = [fuji];
    const decision = await new FailClosedAuthorizer(emptiesTheList).authorize(facts, checks);
    expect(decision.authorized).toBe(false);
    expect(checks).toEqual([fuji]);
    const fair = await new FailClosedAuthorizer(allowsWhatItWasAsked).authorize(facts, checks);
    expect(fair.authorized).toBe(true);
  });
});

describe('redactedMessage', () => {
  it.each([
    ['connect ECONNREFUSED redis://app:hunter2@10.0.0.5:6379', 'redis://***@10.0.0.5:6379'],
    ['bad config password=hunter2, retry', 'password=***, retry'],
    ['token: hunter2 rejected', 'token: *** rejected'],
    ['Authorization=Basic', 'Authorization=***'],
  ])('hides the secret in %j', (message, shown) => {
    const redacted = redactedMessage(message);
    expect(redacted).toContain(shown);
    expect(redacted).not.toContain('hunter2');
  });

  it('keeps a message without secrets as it is', () => {
    const message = "Nest can't resolve dependencies of the Strategy (?). Please make sure that the argument";
    expect(redactedMessage(message)).toBe(message);
  });
});
