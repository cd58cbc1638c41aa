/**
 * Every 401 carries a `WWW-Authenticate` challenge naming the service (RFC 9110 §15.5.2): `Basic` for clients
 * that are not browsers (tinyauth's own challenge for access keys), `Tinyauth` for browsers, which show no
 * password dialog for it. Over real HTTP on Express and Fastify, against the compatible server.
 */
import { request } from 'node:http';
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { AuthorizationFailed, type TinyauthModuleOptions } from 'nestjs-tinyauth';
import { type TinyauthModuleExtras } from '../../src/options/tinyauth-options.interface';
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { guardAppModule } from '../helpers/guard-app';
import {
  ALICE_KEY,
  BOB_KEY,
  SERVICE_KEY,
  basic,
  guardFixture,
  sessionCookie,
} from '../helpers/guard-fixture';
import { ADAPTERS, startApp, type RunningApp } from '../helpers/http-apps';
import { closedPortUrl } from '../helpers/scripted-server';

const BASIC = 'Basic realm="test", charset="UTF-8"';
const BROWSER = 'Tinyauth realm="test"';

type Options = TinyauthModuleOptions & TinyauthModuleExtras;

const options = (endpoint: string, extra: Partial<Options> = {}): Options => ({
  endpoint,
  accessKeyId: SERVICE_KEY.id,
  secretAccessKey: SERVICE_KEY.secret,
  service: 'test',
  cookieSecure: false,
  login: true,
  ...extra,
});

/**
 * Status and challenge of one request sent with exactly `headers`, through node:http: fetch() would add its own
 * `Sec-Fetch-Mode: cors` (Node follows the Fetch standard), a browser signal.
 */
function challenge(
  app: RunningApp,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<[number, string | null]> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${app.url}${path}`,
      { method: init.method ?? 'GET', headers: init.headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve([res.statusCode ?? 0, res.headers['www-authenticate'] ?? null]));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Answers denials with a body of its own (headers untouched), and keeps what it was given. */
@Catch(AuthorizationFailed)
class RecordingFilter implements ExceptionFilter<AuthorizationFailed> {
  static seen: AuthorizationFailed[] = [];
  constructor(private readonly adapterHost: HttpAdapterHost) {}
  catch(exception: AuthorizationFailed, host: ArgumentsHost): void {
    RecordingFilter.seen.push(exception);
    const response: unknown = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.reply(response, { failed: exception.errorCode }, exception.getStatus());
  }
}

let tinyauth: TinyauthServer;
beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: guardFixture });
});
afterAll(() => tinyauth.close());

describe.each(ADAPTERS)('WWW-Authenticate on %s', (adapter) => {
  let app: RunningApp;
  let aliceSession = '';
  beforeAll(async () => {
    app = await startApp(adapter, guardAppModule(options(tinyauth.url)));
    aliceSession = await sessionCookie(tinyauth.url, 'alice', 'alice-pass');
  });
  afterAll(() => app.close());

  it.each<[string, Record<string, string>]>([
    ['no credentials', {}],
    ['a wrong secret', { Authorization: basic({ id: ALICE_KEY.id, secret: 'wrong' }) }],
    ['an unknown key', { Authorization: basic({ id: 'AKNOBODY', secret: 'x' }) }],
    ['a forged session', { Cookie: `${aliceSession.slice(0, -4)}AAAA` }],
    ['curl', { 'User-Agent': 'curl/8.5.0', Accept: '*/*' }],
  ])(
    'challenges a client that is not a browser with Basic, naming the service: %s',
    async (_name, headers) => {
      expect(await challenge(app, '/apples/fred', { headers })).toEqual([401, BASIC]);
    },
  );

  it.each<[string, Record<string, string>]>([
    ['Sec-Fetch-Mode (fetch, XHR)', { 'Sec-Fetch-Mode': 'cors' }],
    ['Sec-Fetch-Site alone', { 'Sec-Fetch-Site': 'same-origin' }],
    ['Origin', { Origin: 'http://127.0.0.1' }],
    ['X-Requested-With', { 'X-Requested-With': 'XMLHttpRequest' }],
    ['an Accept asking for HTML (a navigation)', { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }],
    [
      'a browser User-Agent over plain HTTP',
      { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' },
    ],
  ])('challenges a browser with a scheme it shows no dialog for: %s', async (_name, headers) => {
    expect(await challenge(app, '/apples/fred', { headers })).toEqual([401, BROWSER]);
  });

  it('sends no challenge with a 200, a 403 or the login redirect of a page', async () => {
    expect(await challenge(app, '/apples/fred', { headers: { Authorization: basic(ALICE_KEY) } })).toEqual([
      200,
      null,
    ]);
    expect(await challenge(app, '/apples', { headers: { Authorization: basic(BOB_KEY) } })).toEqual([
      403,
      null,
    ]);
    expect(await challenge(app, '/page', { headers: { Accept: 'text/html' } })).toEqual([302, null]);
  });

  it('challenges the 401 a @RedirectToLogin() page answers to a POST', async () => {
    expect(await challenge(app, '/page', { method: 'POST' })).toEqual([401, BASIC]);
    expect(await challenge(app, '/page', { method: 'POST', headers: { Origin: app.url } })).toEqual([
      401,
      BROWSER,
    ]);
  });

  it("challenges the login flow's 401s with the browser scheme, whoever sends them", async () => {
    const json = {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'wrong' }),
    };
    expect(await challenge(app, '/login', json)).toEqual([401, BROWSER]);
    const form = {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' },
      body: 'username=alice&password=wrong&next=%2Fpage',
    };
    expect(await challenge(app, '/login', form)).toEqual([401, BROWSER]);
    expect(await challenge(app, '/login')).toEqual([200, null]);
    const signedIn = { ...json, body: JSON.stringify({ username: 'alice', password: 'alice-pass' }) };
    expect(await challenge(app, '/login', signedIn)).toEqual([200, null]);
  });
});

describe.each(ADAPTERS)('WWW-Authenticate under a filter of the app on %s', (adapter) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(
      adapter,
      guardAppModule(options(tinyauth.url), [{ provide: APP_FILTER, useClass: RecordingFilter }]),
    );
  });
  afterAll(() => app.close());
  beforeEach(() => (RecordingFilter.seen = []));

  it("keeps the guard's challenge on the response, and hands it to the filter in exception.headers", async () => {
    expect(await challenge(app, '/apples/fred')).toEqual([401, BASIC]);
    expect(RecordingFilter.seen.map((e) => e.headers)).toEqual([{ 'WWW-Authenticate': BASIC }]);
    expect(await challenge(app, '/apples', { headers: { Authorization: basic(BOB_KEY) } })).toEqual([
      403,
      null,
    ]);
    expect(RecordingFilter.seen[1].headers).toEqual({});
  });

  it('carries the challenge of a 401 thrown by authorizeOrThrow inside a handler in exception.headers', async () => {
    const [status] = await challenge(app, '/apples/inside/fred', { headers: { 'Sec-Fetch-Mode': 'cors' } });
    expect(status).toBe(401);
    expect(RecordingFilter.seen.map((e) => e.headers)).toEqual([{ 'WWW-Authenticate': BROWSER }]);
  });
});

describe.each(ADAPTERS)('WWW-Authenticate when tinyauth is down on %s', (adapter) => {
  it('sends none with the 503', async () => {
    const app = await startApp(adapter, guardAppModule(options(await closedPortUrl(), { login: false })));
    try {
      expect(await challenge(app, '/apples/fred', { headers: { Authorization: basic(ALICE_KEY) } })).toEqual([
        503,
        null,
      ]);
    } finally {
      await app.close();
    }
  });
});
