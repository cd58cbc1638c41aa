import { Inject, Injectable, Module, type Type } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import {
  TINYAUTH_OPTIONS,
  TinyauthClient,
  TinyauthModule,
  type Authorizer,
  type ResolvedTinyauthOptions,
  type TinyauthCheck,
  type TinyauthDecision,
  type TinyauthDecisionEvent,
  type TinyauthModuleOptions,
} from 'nestjs-tinyauth';
import { ApplesController, guardAppModule } from '../helpers/guard-app';
import { ADAPTERS, MemoryLogger, startApp, type RunningApp } from '../helpers/http-apps';
import { ALICE_KEY, BOB_KEY, basic, serviceOptions } from '../helpers/guard-fixture';
import { useRecordedTinyauth } from '../helpers/recorded-tinyauth';
import type { ScriptedServer } from '../helpers/scripted-server';

type StrategyFacts = Parameters<Authorizer['authorize']>[0];

const connection = (endpoint: string) => serviceOptions(endpoint);

async function call(app: RunningApp, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${path}`, { headers });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

const authorizeCalls = (proxy: ScriptedServer): number =>
  proxy.requests.filter((r) => r.url.endsWith('/authorize-by-token')).length;

/** A provider of the application's, reached by the strategy through `forRootAsync`'s `imports`. */
@Injectable()
class DecisionJournal {
  readonly entries: string[] = [];
}

@Module({ providers: [DecisionJournal], exports: [DecisionJournal] })
class JournalModule {}

/**
 * A class strategy created by Nest's DI: asks tinyauth itself through the injected `TinyauthClient`, keeps a
 * journal in an application provider, and refuses a blocked user name before asking, reading the service name from
 * the injected options.
 */
@Injectable()
class JournalingAuthorizer implements Authorizer {
  constructor(
    private readonly client: TinyauthClient,
    @Inject(TINYAUTH_OPTIONS) private readonly options: ResolvedTinyauthOptions,
    http: HttpService,
    private readonly journal: DecisionJournal,
  ) {
    journal.entries.push(`created with HttpService: ${http instanceof HttpService}`);
  }

  async authorize(facts: StrategyFacts, checks: readonly TinyauthCheck[]): Promise<TinyauthDecision> {
    const permit: Record<string, string[]> = {};
    for (const { action, resource } of checks) (permit[action] ??= []).push(resource);
    if (facts.headers.some(([name, value]) => name.toLowerCase() === 'x-blocked' && value === '1')) {
      this.journal.entries.push(`${this.options.service}:blocked`);
      return { authorized: false, errorCode: 'NotPermitted', permitted: {}, notPermitted: permit };
    }
    const answer = await this.client.authorizeByToken({ permit, headers: facts.headers, context: {} });
    this.journal.entries.push(`${this.options.service}:${answer.Identity ?? answer.ErrorCode ?? '?'}`);
    return {
      authorized: answer.Authorized,
      identity: answer.Identity,
      errorCode: answer.ErrorCode,
      permitted: answer.Permitted,
      notPermitted: answer.NotPermitted,
    };
  }
}

function classStrategyModule(endpoint: string): Type<unknown> {
  @Module({
    imports: [
      TinyauthModule.forRootAsync({
        imports: [JournalModule],
        useFactory: (): TinyauthModuleOptions => ({
          ...connection(endpoint),
          authorizer: JournalingAuthorizer,
        }),
      }),
      JournalModule,
    ],
    controllers: [ApplesController],
  })
  class ClassStrategyModule {}
  return ClassStrategyModule;
}

const hostile: Array<[string, () => Promise<unknown> | unknown]> = [
  [
    'throws',
    () => {
      throw new Error(`leaked ${ALICE_KEY.secret}`);
    },
  ],
  ['rejects', () => Promise.reject(new TypeError('nope'))],
  ['resolves to null', () => null],
  ['resolves to a string', () => 'true'],
  ['says authorized: "true"', () => ({ authorized: 'true', permitted: {}, notPermitted: {} })],
  ['says authorized: 1', () => ({ authorized: 1, permitted: {}, notPermitted: {} })],
  ['allows without listing the checks', () => ({ authorized: true, permitted: {}, notPermitted: {} })],
  ['allows with no maps at all', () => ({ authorized: true, identity: 'alice' })],
  [
    'allows while refusing a check',
    () => ({
      authorized: true,
      identity: 'alice',
      permitted: { GetApple: ['arn:tinyauth:test:default::apples/fuji'] },
      notPermitted: { GetApple: ['arn:tinyauth:test:default::apples/fuji'] },
    }),
  ],
  [
    'allows with a non-string identity',
    () => ({
      authorized: true,
      identity: { name: 'alice' },
      permitted: { GetApple: ['arn:tinyauth:test:default::apples/fuji'] },
      notPermitted: {},
    }),
  ],
  [
    'throws from a getter',
    () =>
      Object.defineProperty({}, 'authorized', {
        get() {
          throw new Error('getter');
        },
      }),
  ],
];

describe.each(ADAPTERS)('the authorizer option (%s)', (adapter) => {
  const recorded = useRecordedTinyauth();
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('creates a class strategy through DI (client, options, HttpService, an imported provider) and uses it', async () => {
    app = await startApp(adapter, classStrategyModule(recorded.proxy.url));
    const journal = app.app.get(DecisionJournal);

    const allowed = await call(app, '/apples/fuji', { Authorization: basic(ALICE_KEY) });
    expect(allowed).toEqual({ status: 200, body: { name: 'fuji', who: 'alice' } });
    const refused = await call(app, '/apples', { Authorization: basic(BOB_KEY) });
    expect(refused.status).toBe(403);
    const blocked = await call(app, '/apples/fuji', { Authorization: basic(ALICE_KEY), 'X-Blocked': '1' });
    expect(blocked.status).toBe(403);
    const anonymous = await call(app, '/apples/fuji');
    expect(anonymous.status).toBe(401);

    expect(journal.entries).toEqual([
      'created with HttpService: true',
      'test:alice',
      'test:NotPermitted',
      'test:blocked',
      'test:UnsignedRequest',
    ]);
    expect(authorizeCalls(recorded.proxy)).toBe(3);
  });

  it('runs a factory wrapping the built-in cached strategy, still observed', async () => {
    const events: TinyauthDecisionEvent[] = [];
    const seen: string[] = [];
    app = await startApp(
      adapter,
      guardAppModule({
        ...connection(recorded.proxy.url),
        cacheTtlMs: 60_000,
        onDecision: (event) => void events.push(event),
        authorizer: ({ strategies, options }) => {
          const cached = strategies.cached();
          return {
            authorize: (facts, checks, context) => {
              seen.push(checks.map((c) => c.action).join('+'));
              if (checks.some((c) => c.resource.endsWith('/forbidden-by-app'))) {
                return Promise.resolve({
                  authorized: false,
                  errorCode: 'NotPermitted',
                  permitted: {},
                  notPermitted: {
                    GetApple: [`arn:tinyauth:${options.service}:default::apples/forbidden-by-app`],
                  },
                });
              }
              return cached.authorize(facts, checks, context);
            },
            invalidate: (identity) => cached.invalidate?.(identity) ?? Promise.resolve(),
          };
        },
      }),
    );
    const alice = { Authorization: basic(ALICE_KEY) };

    expect(await call(app, '/apples/fuji', alice)).toEqual({
      status: 200,
      body: { name: 'fuji', who: 'alice' },
    });
    expect(await call(app, '/apples/fuji', alice)).toEqual({
      status: 200,
      body: { name: 'fuji', who: 'alice' },
    });
    expect(authorizeCalls(recorded.proxy)).toBe(1); // the second answer came from the built-in cache
    expect((await call(app, '/apples/forbidden-by-app', alice)).status).toBe(403);
    expect(authorizeCalls(recorded.proxy)).toBe(1); // refused by the wrapper without asking
    expect((await call(app, '/apples/rotten', alice)).status).toBe(403); // tinyauth's Deny, through the cache miss
    expect(authorizeCalls(recorded.proxy)).toBe(2);

    // Three names in one request: the strategy gets every check at once.
    expect((await call(app, '/apples/batch/select?names=a,b,c', alice)).status).toBe(200);
    expect(authorizeCalls(recorded.proxy)).toBe(3);

    expect(events.map((e) => [e.mode, e.source, e.outcome])).toEqual([
      ['custom', 'tinyauth', 'allow'],
      ['custom', 'cache', 'allow'],
      ['custom', 'tinyauth', 'deny'],
      ['custom', 'tinyauth', 'deny'],
      ['custom', 'tinyauth', 'allow'],
    ]);
    expect(seen).toEqual(['GetApple', 'GetApple', 'GetApple', 'GetApple', 'GetApple+GetApple+GetApple']);
  });

  it.each(hostile)('fails closed when the strategy %s', async (_name, answer) => {
    const logger = new MemoryLogger();
    let handled = 0;
    app = await startApp(
      adapter,
      guardAppModule({
        ...connection(recorded.proxy.url),
        authorizer: () => ({
          authorize: () => {
            handled++;
            return answer() as Promise<TinyauthDecision>;
          },
        }),
      }),
      { logger },
    );
    const alice = { Authorization: basic(ALICE_KEY) };

    const guarded = await call(app, '/apples/fuji', alice);
    expect(guarded).toEqual({
      status: 503,
      body: { Authorized: false, ErrorCode: 'TinyauthUnavailable' },
    });
    // The same through TinyauthService, inside a handler.
    const inside = await call(app, '/apples/inside/fuji', alice);
    expect(inside.status).toBe(503);
    expect(handled).toBe(2);
    const logged = logger.lines.filter((l) => l.includes('authorizer'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).toContain('denying the request (503)');
    expect(logger.lines.join('\n')).not.toContain(ALICE_KEY.secret);
  });

  it('refuses as unavailable a decision the strategy never settles, after twice timeoutMs', async () => {
    const logger = new MemoryLogger();
    app = await startApp(
      adapter,
      guardAppModule({
        ...connection(recorded.proxy.url),
        timeoutMs: 200,
        authorizer: () => ({ authorize: () => new Promise<TinyauthDecision>(() => undefined) }),
      }),
      { logger },
    );
    const refused = await call(app, '/apples/fuji', { Authorization: basic(ALICE_KEY) });
    expect(refused).toEqual({ status: 503, body: { Authorized: false, ErrorCode: 'TinyauthUnavailable' } });
    expect(logger.lines.join('\n')).toContain('did not answer within 400 ms');
  });

  it('takes a lenient denial (no maps, no error code) as NotPermitted', async () => {
    app = await startApp(
      adapter,
      guardAppModule({
        ...connection(recorded.proxy.url),
        authorizer: () => ({ authorize: () => Promise.resolve({ authorized: false } as TinyauthDecision) }),
      }),
    );
    const refused = await call(app, '/apples/fuji', { Authorization: basic(ALICE_KEY) });
    expect(refused).toEqual({ status: 403, body: { Authorized: false, ErrorCode: 'NotPermitted' } });
  });
});
