/**
 * TinyauthGuard on GraphQL resolvers, over real HTTP: Apollo on Express and Mercurius on Fastify (code-first),
 * against the compatible server; a subscription over graphql-ws (both drivers). Every decision is compared with the
 * HTTP route that makes the same check with the same credentials.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { startApp, type AdapterName, type RunningApp } from '../helpers/http-apps';
import { graphqlAppModule } from '../helpers/graphql-app';
import { ApplesController } from '../helpers/guard-app';
import {
  ALICE_KEY,
  BOB_KEY,
  serviceOptions,
  basic,
  guardFixture,
  sessionCookie,
} from '../helpers/guard-fixture';
import { closedPortUrl, startRecordingProxy, type ScriptedServer } from '../helpers/scripted-server';

const options = (endpoint: string) => serviceOptions(endpoint);

interface GqlError {
  message: string;
  path?: string[];
  extensions?: { code?: string; tinyauth?: unknown; stacktrace?: string[] };
}
interface GqlAnswer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: GqlError[];
  text: string;
}

async function gql(app: RunningApp, query: string, headers: Record<string, string> = {}): Promise<GqlAnswer> {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: GqlError[] };
  return { status: res.status, ...body, text };
}

/** The HTTP status the same credentials and check get from the REST route. */
async function httpStatus(
  app: RunningApp,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<number> {
  const res = await fetch(`${app.url}${path}`, { headers, method });
  await res.arrayBuffer();
  return res.status;
}

const CODE_OF_STATUS: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  503: 'SERVICE_UNAVAILABLE',
};

/** No stack frame anywhere in what the client sees. */
const expectNoStack = (answer: GqlAnswer) => expect(answer.text).not.toMatch(/\bat .+\.(js|ts):\d+/);

const authorizeCalls = (proxy: ScriptedServer) =>
  proxy.requests.filter((r) => r.url.endsWith('/authorize-by-token'));

let tinyauth: TinyauthServer;
let proxy: ScriptedServer;
let aliceSession: string;

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: guardFixture });
  proxy = await startRecordingProxy(tinyauth.url);
  aliceSession = await sessionCookie(tinyauth.url, 'alice', 'alice-pass');
});
afterAll(async () => {
  await proxy.close();
  await tinyauth.close();
});

const DRIVERS: Array<[string, 'apollo' | 'mercurius', AdapterName]> = [
  ['Apollo on Express', 'apollo', 'express'],
  ['Mercurius on Fastify', 'mercurius', 'fastify'],
];

describe.each(DRIVERS)('GraphQL resolvers: %s', (_name, driver, adapter) => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp(adapter, graphqlAppModule(driver, options(proxy.url), [ApplesController]));
  });
  afterAll(() => app.close());
  beforeEach(() => {
    proxy.requests.length = 0;
  });

  it('allows a query with an access key and injects the identity', async () => {
    const res = await gql(app, '{ apple(name: "fred") { name } whoami { who } }', {
      Authorization: basic(ALICE_KEY),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ apple: { name: 'fred' }, whoami: { who: 'alice' } });
  });

  it('allows a session cookie (with its CSRF header) as over HTTP', async () => {
    const csrf = 'x'.repeat(8);
    const headers = { Cookie: `${aliceSession}; tinycsrf=${csrf}`, 'X-CSRF-Token': csrf };
    const res = await gql(app, '{ whoami { who } }', headers);
    expect(await httpStatus(app, '/apples/ping/base', headers)).toBe(200);
    expect(res.data).toEqual({ whoami: { who: 'alice' } });
  });

  it.each([
    ['no credentials', {}, 401],
    ['a wrong secret', { Authorization: basic({ id: ALICE_KEY.id, secret: 'wrong' }) }, 401],
    ['a user without the permission', { Authorization: basic(BOB_KEY) }, 403],
  ])(
    'denies a mutation with %s: errors[] with the code, null data, no stack',
    async (_c, headers, status) => {
      const res = await gql(app, 'mutation { eatApple(name: "fred") { name } }', headers);
      expect(res.data).toEqual({ eatApple: null });
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0]).toMatchObject({
        path: ['eatApple'],
        extensions: {
          code: CODE_OF_STATUS[status],
          tinyauth: { Authorized: false, ErrorCode: expect.any(String) },
        },
      });
      expectNoStack(res);
      // Differential: the REST route making the same check with the same credentials.
      expect(await httpStatus(app, '/apples/fred/eat', headers, 'POST')).toBe(status);
    },
  );

  it.each([
    ['alice', { Authorization: basic(ALICE_KEY) }, 'fred'],
    ['alice on a denied apple', { Authorization: basic(ALICE_KEY) }, 'rotten'],
    ['bob', { Authorization: basic(BOB_KEY) }, 'fred'],
    ['anonymous', {}, 'fred'],
    ['a bad key', { Authorization: basic({ id: 'AKNOPE', secret: 'x' }) }, 'fred'],
  ])('reaches the same decision as the HTTP route for %s', async (_who, headers, name) => {
    const res = await gql(app, `{ apple(name: "${name}") { name } }`, headers);
    const rest = await httpStatus(app, `/apples/${name}`, headers);
    if (rest === 200) {
      expect(res.data).toEqual({ apple: { name } });
    } else {
      expect(res.data).toEqual({ apple: null });
      expect(res.errors?.[0]?.extensions?.code).toBe(CODE_OF_STATUS[rest]);
    }
  });

  it('gives partial results: a denied field is null with an error, the rest resolves', async () => {
    const res = await gql(app, '{ ok: apple(name: "fred") { name } bad: apple(name: "rotten") { name } }', {
      Authorization: basic(ALICE_KEY),
    });
    expect(res.data).toEqual({ ok: { name: 'fred' }, bad: null });
    expect(res.errors).toEqual([
      expect.objectContaining({
        path: ['bad'],
        extensions: expect.objectContaining({
          code: 'FORBIDDEN',
          tinyauth: { Authorized: false, ErrorCode: 'NotPermitted' },
        }),
      }),
    ]);
  });

  it('checks 100 listed items with one authorize-by-token call', async () => {
    const res = await gql(app, '{ orchard(count: 100, prefix: "a") { name colour } }', {
      Authorization: basic(ALICE_KEY),
    });
    expect(res.errors).toBeUndefined();
    const items = res.data?.orchard as Array<{ name: string; colour: string }>;
    expect(items).toHaveLength(100);
    expect(items[99]).toEqual({ name: 'a99', colour: 'red a99' });
    const calls = authorizeCalls(proxy);
    expect(calls).toHaveLength(1);
    const { permit } = JSON.parse(calls[0].body) as { permit: Record<string, string[]> };
    expect(permit.GetApple).toHaveLength(100);
  });

  it('answers each field of a batch on its own: a refused one is null, the others resolve', async () => {
    const mixed = await gql(
      app,
      '{ a: apple(name: "rotten") { name colour } b: apple(name: "fred") { name colour } }',
      {
        Authorization: basic(ALICE_KEY),
      },
    );
    expect(mixed.data).toEqual({ a: null, b: { name: 'fred', colour: 'red fred' } });
    expect(mixed.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('fails closed with SERVICE_UNAVAILABLE when tinyauth is down', async () => {
    const down = await startApp(
      adapter,
      graphqlAppModule(driver, options(await closedPortUrl()), [ApplesController]),
    );
    try {
      const headers = { Authorization: basic(ALICE_KEY) };
      const res = await gql(down, '{ apple(name: "fred") { name } }', headers);
      expect(res.data).toEqual({ apple: null });
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        tinyauth: { Authorized: false, ErrorCode: 'TinyauthUnavailable' },
      });
      expectNoStack(res);
      expect(await httpStatus(down, '/apples/fred', headers)).toBe(503);
    } finally {
      await down.close();
    }
  });
});

const SUBSCRIPTION_DRIVERS: Array<[string, 'apollo' | 'mercurius', AdapterName]> = [
  ['Apollo', 'apollo', 'express'],
  ['Mercurius', 'mercurius', 'fastify'],
];

describe.each(SUBSCRIPTION_DRIVERS)('GraphQL subscription over graphql-ws (%s)', (_name, driver, adapter) => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp(adapter, graphqlAppModule(driver, options(proxy.url)));
  });
  afterAll(() => app.close());
  beforeEach(() => {
    proxy.requests.length = 0;
  });

  /** How graphql-ws constructs its socket. */
  type WebSocketImpl = new (url: string, protocols?: string | string[]) => WebSocket;

  /** A WebSocket whose upgrade request carries a session cookie, as a browser's would. */
  class CookieWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { Cookie: aliceSession } });
    }
  }

  /** Subscribes once and collects what arrives: the data of each `next`, or the errors. */
  const subscribe = (
    connectionParams: Record<string, unknown>,
    query: string,
    webSocketImpl: WebSocketImpl = WebSocket,
  ): Promise<unknown[]> =>
    subscribeAt(`${app.url.replace('http', 'ws')}/graphql`, connectionParams, query, webSocketImpl);

  async function subscribeAt(
    url: string,
    connectionParams: Record<string, unknown>,
    query: string,
    webSocketImpl: WebSocketImpl,
  ): Promise<unknown[]> {
    const client = createClient({
      url,
      webSocketImpl,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
    });
    const results: unknown[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe(
          { query },
          { next: (v) => results.push(v), error: (e) => reject(e as Error), complete: resolve },
        );
      });
    } catch (err) {
      results.push({ thrown: err });
    } finally {
      await client.dispose();
    }
    return results;
  }
  const ripened = (name: string) => `subscription { appleRipened(name: "${name}") { name } }`;
  const PINGED = 'subscription { pinged { who } }';

  it('allows with credentials from the connection init payload', async () => {
    const results = await subscribe({ headers: { Authorization: basic(ALICE_KEY) } }, ripened('fred'));
    expect(results).toEqual([{ data: { appleRipened: { name: 'fred' } } }]);
  });

  it('delivers the identity the guard established in the event', async () => {
    const results = await subscribe({ headers: { Authorization: basic(ALICE_KEY) } }, PINGED);
    expect(results).toEqual([{ data: { pinged: { who: 'alice' } } }]);
  });

  it("sends tinyauth the payload's credentials and the client's address, not the upgrade's cookie", async () => {
    const results = await subscribe(
      { headers: { Authorization: basic(ALICE_KEY) } },
      ripened('fred'),
      CookieWebSocket,
    );
    expect(results).toEqual([{ data: { appleRipened: { name: 'fred' } } }]);
    const calls = authorizeCalls(proxy);
    expect(calls).toHaveLength(1);
    const body = JSON.parse(calls[0].body) as { headers: string[][]; context: { SourceIp: string } };
    expect(body.headers).toEqual([['Authorization', basic(ALICE_KEY)]]);
    expect(body.context.SourceIp).toBe('127.0.0.1');
  });

  it("does not take the upgrade request's session cookie as credentials", async () => {
    const results = await subscribe({}, PINGED, CookieWebSocket);
    expect(JSON.stringify(results)).toContain('"code":"UNAUTHENTICATED"');
    expect(JSON.stringify(results)).not.toContain('pinged":{');
  });

  if (driver === 'mercurius') {
    it("without the onConnect hook: anonymous, neither the payload nor the upgrade's cookie counts", async () => {
      const bare = await startApp(adapter, graphqlAppModule(driver, options(proxy.url), [], false));
      try {
        const url = `${bare.url.replace('http', 'ws')}/graphql`;
        for (const [params, impl] of [
          [{ headers: { Authorization: basic(ALICE_KEY) } }, WebSocket],
          [{}, CookieWebSocket],
        ] as const) {
          const results = await subscribeAt(url, params, PINGED, impl);
          expect(JSON.stringify(results)).toContain('"code":"UNAUTHENTICATED"');
          expect(JSON.stringify(results)).not.toContain('pinged":{');
        }
      } finally {
        await bare.close();
      }
    });
  }

  it('also reads the credential names at the top level of the payload', async () => {
    const results = await subscribe({ authorization: basic(ALICE_KEY) }, ripened('fred'));
    expect(results).toEqual([{ data: { appleRipened: { name: 'fred' } } }]);
  });

  it.each([
    ['no credentials', {}, 'fred', 'UNAUTHENTICATED'],
    [
      'a bad key',
      { headers: { Authorization: basic({ id: 'AKNOPE', secret: 'x' }) } },
      'fred',
      'UNAUTHENTICATED',
    ],
    ['alice on a denied apple', { headers: { Authorization: basic(ALICE_KEY) } }, 'rotten', 'FORBIDDEN'],
  ])('refuses %s with the GraphQL error', async (_c, params, name, code) => {
    const results = await subscribe(params, ripened(name));
    expect(JSON.stringify(results)).toContain(`"code":"${code}"`);
    expect(JSON.stringify(results)).not.toContain('appleRipened":{');
  });

  it.each([
    ['no credentials', {}, 'UNAUTHENTICATED'],
    ['a user without the permission', { headers: { Authorization: basic(BOB_KEY) } }, 'FORBIDDEN'],
  ])('refuses %s the identity subscription with the GraphQL error', async (_c, params, code) => {
    const results = await subscribe(params, PINGED);
    expect(JSON.stringify(results)).toContain(`"code":"${code}"`);
    expect(JSON.stringify(results)).not.toContain('pinged":{');
  });
});

describe.each(['cached', 'local'] as const)('batching in %s mode', (mode) => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp('express', graphqlAppModule('apollo', { ...options(proxy.url), mode }));
  });
  afterAll(() => app.close());

  it('checks 100 listed items with at most one authorize-by-token call', async () => {
    proxy.requests.length = 0;
    const res = await gql(app, '{ orchard(count: 100, prefix: "b") { name colour } }', {
      Authorization: basic(ALICE_KEY),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.orchard).toHaveLength(100);
    expect(authorizeCalls(proxy).length).toBeLessThanOrEqual(1);
    // And the refusals are still per item.
    const mixed = await gql(app, '{ a: apple(name: "rotten") { name } b: apple(name: "fred") { name } }', {
      Authorization: basic(ALICE_KEY),
    });
    expect(mixed.data).toEqual({ a: null, b: { name: 'fred' } });
  });
});
