/**
 * Differential test: the local strategy must reach the same decision as tinyauth itself (the remote strategy
 * against the compatible server loaded with the recorded fixture and SECRET_SIGNING_KEY), on every applicable
 * recorded authorize-by-token exchange and on a few thousand generated requests.
 */
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { startTinyauthServer, type Fixture, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { TinyauthClient } from '../../src/client/tinyauth-client';
import { resolveTinyauthOptions } from '../../src/options/resolve-options';
import { RemoteAuthorizer } from '../../src/authorizer/remote.authorizer';
import { LocalAuthorizer } from '../../src/authorizer/local';
import type { Authorizer } from '../../src/authorizer/authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from '../../src/authorizer/decision';
import type { RequestFacts } from '../../src/request/request-facts';
import { jwtKey, signJwt, utcDateStamp, type JwtAlgorithm } from '../../src/core';
import { loadHttpExchanges, type Exchange } from '../helpers/conformance';

const data = loadHttpExchanges();
const SECRET = data.server_config.SECRET_SIGNING_KEY;
const SERVICE_AUTH = `Basic ${Buffer.from('AKSVCMYSERVICE:svc-myservice-secret').toString('base64')}`;
const ABT_PATH = '/api/v1/services/myservice/authorize-by-token';
const GENERATED = Number(process.env.DIFFERENTIAL_REQUESTS ?? 3000);

interface AbtBody {
  permit: unknown;
  headers: Array<[string, string]>;
  context: Record<string, unknown>;
  region?: unknown;
}

/** Counts what the local strategy had to hand over to tinyauth. */
class CountingRemote implements Authorizer {
  readonly handedOver = new WeakSet<RequestFacts>();
  constructor(private readonly inner: Authorizer) {}
  authorize(...args: Parameters<Authorizer['authorize']>): Promise<TinyauthDecision> {
    this.handedOver.add(args[0]);
    return this.inner.authorize(...args);
  }
}

const summary = (d: TinyauthDecision) => ({
  authorized: d.authorized,
  errorCode: d.errorCode,
  identity: d.identity,
});
const full = (d: TinyauthDecision) => ({
  ...summary(d),
  permitted: { ...d.permitted },
  notPermitted: { ...d.notPermitted },
});

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Both ways of sending calls to tinyauth (the httpClient option) must give the same decisions.
describe.each(['http-service', 'undici'] as const)(
  'local mode decides exactly as tinyauth (httpClient %s)',
  localModeDecidesAsTinyauth,
);

function localModeDecidesAsTinyauth(httpClient: 'http-service' | 'undici'): void {
  let server: TinyauthServer;
  let client: TinyauthClient;
  let remote: RemoteAuthorizer;
  let fallback: CountingRemote;
  let local: LocalAuthorizer;

  beforeAll(async () => {
    server = await startTinyauthServer({ fixture: data.fixtures as Fixture, signingKey: SECRET });
    const options = resolveTinyauthOptions({
      endpoint: server.url,
      accessKeyId: 'AKSVCMYSERVICE',
      secretAccessKey: 'svc-myservice-secret',
      service: 'myservice',
      mode: 'local',
      httpClient,
    });
    client = new TinyauthClient(new HttpService(axios.create()), options);
    remote = new RemoteAuthorizer(client);
    fallback = new CountingRemote(remote);
    local = new LocalAuthorizer(client, fallback, options);
  });
  afterAll(async () => {
    await client.onModuleDestroy();
    await server.close();
  });

  async function both(facts: RequestFacts, checks: TinyauthCheck[], context?: Record<string, unknown>) {
    const [r, l] = await Promise.all([
      remote.authorize(facts, checks, context),
      local.authorize(facts, checks, context),
    ]);
    return { remote: r, local: l, fellBack: fallback.handedOver.has(facts) };
  }

  describe('on the recorded exchanges', () => {
    const applicable = data.exchanges.filter((e) => {
      const body = e.request.json as AbtBody | undefined;
      const permit = body?.permit;
      return (
        e.request.path === ABT_PATH &&
        e.request.headers?.Authorization === SERVICE_AUTH &&
        (e.response.status === 200 || e.response.status === 500) &&
        body !== undefined &&
        body.region === undefined &&
        Array.isArray(body.headers) &&
        typeof body.context?.SourceIp === 'string' &&
        permit !== null &&
        typeof permit === 'object' &&
        !Array.isArray(permit) &&
        Object.values(permit).length > 0 &&
        Object.values(permit).every(
          (v) => Array.isArray(v) && v.length > 0 && v.every((r) => typeof r === 'string'),
        ) &&
        e.uses_token?.mint_request?.json.region === undefined &&
        (e.uses_token?.mint_request === undefined || e.uses_token.mint_request.path.includes('/myservice/'))
      );
    });

    async function replayable(
      e: Exchange,
    ): Promise<{ facts: RequestFacts; checks: TinyauthCheck[]; context: Record<string, unknown> }> {
      const body = e.request.json as AbtBody;
      let headers = body.headers.map(([n, v]) => [n, v] as [string, string]);
      const mint = e.uses_token?.mint_request;
      if (mint !== undefined) {
        const json = mint.json as {
          username: string;
          password: string;
          'csrf-strategy': 'cookie' | 'header-token' | 'none';
        };
        const fresh = await client.getTokenForLogin(json.username, json.password, json['csrf-strategy']);
        let token = fresh.token;
        if (/tamper/i.test(e.name)) {
          const [h, p, s] = token.split('.');
          const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
          token = [h, Buffer.from(JSON.stringify({ ...claims, user: 'root' })).toString('base64url'), s].join(
            '.',
          );
        }
        headers = headers.map(([n, v]) => {
          if (n.toLowerCase() === 'cookie') return [n, v.replace(/tinysess=[^;\s]+/, `tinysess=${token}`)];
          if (n.toLowerCase() === 'x-csrf-token' && fresh.csrf !== undefined) return [n, fresh.csrf];
          return [n, v];
        });
      }
      const { SourceIp, RequestDateTime: _time, ...extra } = body.context;
      const checks = Object.entries(body.permit as Record<string, string[]>).flatMap(([action, arns]) =>
        arns.map((resource) => ({ action, resource })),
      );
      return {
        facts: { method: 'GET', url: '/', headers, sourceIp: String(SourceIp), params: {} },
        checks,
        context: extra,
      };
    }

    it('covers the recorded authorize-by-token exchanges', () => {
      expect(applicable.length).toBeGreaterThanOrEqual(35);
    });

    it.each(applicable.map((e) => [`${e.id} ${e.name}`, e] as const))('%s', async (_name, exchange) => {
      const { facts, checks, context } = await replayable(exchange);
      const {
        remote: r,
        local: l,
        fellBack,
      } = await both(facts, checks, Object.keys(context).length ? context : undefined);
      expect(full(l)).toEqual(full(r));
      if (exchange.response.status === 500) {
        expect(r.errorCode).toBe('TinyauthUnavailable');
      } else {
        const recorded = exchange.response.json as {
          Authorized: boolean;
          ErrorCode?: string;
          Identity?: string;
        };
        expect(summary(l)).toEqual({
          authorized: recorded.Authorized,
          errorCode: recorded.Authorized ? undefined : (recorded.ErrorCode ?? 'NotPermitted'),
          identity: recorded.Identity,
        });
        // Everything tinyauth answers with 200 is decided in-process.
        expect(fellBack).toBe(false);
      }
    });
  });

  describe('on generated requests', () => {
    const users = (
      data.fixtures.users as Array<{ username: string; password: string | null; access_keys: string[][] }>
    ).filter((u) => !u.username.startsWith('svc-'));
    const keyed = users.flatMap((u) => u.access_keys.map(([id, secret]) => ({ id, secret })));
    const withPassword = users.filter((u) => u.password !== null);
    const sessions: Array<{ token: string; csrf?: string }> = [];
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;
    const sign = (
      claims: Record<string, unknown>,
      opts: { service?: string; region?: string; alg?: JwtAlgorithm; user?: string } = {},
    ) => {
      const iat = typeof claims.iat === 'number' ? claims.iat : Math.floor(Date.now() / 1000);
      const key = jwtKey({
        region: opts.region ?? 'global',
        service: opts.service ?? 'myservice',
        date: utcDateStamp(iat),
        identity: opts.user ?? String(claims.user),
        secret: SECRET,
      });
      return signJwt(claims, key, opts.alg ?? 'HS256');
    };

    beforeAll(async () => {
      for (const u of withPassword) {
        for (const strategy of ['cookie', 'header-token', 'none'] as const) {
          sessions.push(await client.getTokenForLogin(u.username, u.password as string, strategy));
        }
      }
    });

    it(`agrees on ${GENERATED} random requests`, async () => {
      const rand = prng(20261128);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
      const now = Math.floor(Date.now() / 1000);
      const user = () => pick(users).username;
      const cookieTokens: Array<() => { token: string; csrf?: string }> = [
        () => pick(sessions),
        () => pick(sessions),
        () => ({ token: sign({ user: user(), mfa: false, exp: now - 10, iat: now - 100 }) }),
        () => ({ token: sign({ user: user(), mfa: true, exp: now + 600, iat: now }) }),
        () => ({ token: sign({ user: user(), mfa: false, iat: now - 86_400 * 2 }) }),
        () => ({
          token: sign(
            { user: user(), mfa: false, exp: now + 600, iat: now },
            { alg: pick(['HS384', 'HS512'] as const) },
          ),
        }),
        () => ({
          token: sign({ user: user(), mfa: false, exp: now + 600, iat: now }, { service: 'otherservice' }),
        }),
        () => ({
          token: sign({ user: user(), mfa: false, exp: now + 600, iat: now }, { region: 'eu-west-1' }),
        }),
        () => ({ token: sign({ user: 'nobody-here', mfa: false, exp: now + 600, iat: now }) }),
        () => ({ token: sign({ user: 42, mfa: false, exp: now + 600, iat: now }, { user: '42' }) }),
        () => ({ token: sign({ user: user(), exp: now + 600, iat: now }) }),
        () => ({
          token: sign({ user: user(), mfa: false, exp: now + 600, iat: now, 'csrf-token': 'c-1' }),
          csrf: pick(['c-1', 'c-2', undefined]),
        }),
        () => ({ token: sign({ user: user(), mfa: false, exp: now + 600, iat: now + 3600 }) }),
        () => {
          const s = pick(sessions);
          const [h, p, sig] = s.token.split('.');
          const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
          return {
            ...s,
            token: [
              h,
              Buffer.from(JSON.stringify({ ...claims, user: user() })).toString('base64url'),
              sig,
            ].join('.'),
          };
        },
        () => ({ token: pick(['garbage', '', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYWxpY2UifQ.']) }),
      ];
      const authorizations: Array<() => string | undefined> = [
        () => {
          const k = pick(keyed);
          return basic(k.id, k.secret);
        },
        () => {
          const k = pick(keyed);
          return basic(k.id, k.secret);
        },
        () => basic(pick(keyed).id, 'wrong-secret'),
        () => basic(pick(['AKNOPE', 'AKUNKNOWN', `AK${Math.floor(rand() * 1e6)}`]), 'x'),
        () =>
          pick([
            'Basic !!!',
            'Basic ',
            'basic QUtBTElDRTphbGljZS1zZWNyZXQ=',
            'Bearer abc',
            'Basic QUtBTElDRQ==',
          ]),
        () => undefined,
      ];
      const actions = [
        'GetApple',
        'ListApples',
        'DeleteApple',
        'GetPear',
        'ListPears',
        'DeletePear',
        'NoMfaAction',
        'MfaAction',
        'GetPip',
        'Gxpple',
        '',
      ];
      const resources = [
        'arn:tinyauth:myservice:default::apples/fred',
        'arn:tinyauth:myservice:default::apples/golden-delicious',
        'arn:tinyauth:myservice:default::apples/bcd',
        'arn:tinyauth:myservice:default::apples/xyz',
        'arn:tinyauth:myservice:default::pears/conference',
        'arn:tinyauth:myservice:default::cafés/latte',
        'arn:tinyauth:myservice:eu-west-1::apples/fred',
        'arn:tinyauth:myservice:default::',
      ];
      const ips = [
        '192.168.1.10',
        '10.1.2.3',
        '127.0.0.1',
        '203.0.113.7',
        '2001:db8::1',
        '::ffff:10.0.0.1',
        'not-an-ip',
      ];

      const mismatches: string[] = [];
      const counts = { allowed: 0, denied: 0, unavailable: 0, fellBack: 0, fellBackWithout500: 0 };
      let next = 0;
      const one = async (): Promise<void> => {
        const headers: Array<[string, string]> = [['Host', 'myservice.example.test']];
        const mode = rand();
        if (mode < 0.55) {
          const auth = pick(authorizations)();
          if (auth !== undefined) headers.push([pick(['Authorization', 'authorization']), auth]);
        }
        if (mode >= 0.45) {
          const { token, csrf } = pick(cookieTokens)();
          headers.push([
            'Cookie',
            pick([`tinysess=${token}`, `theme=dark; tinysess=${token}; lang=en`, `lang=en`]),
          ]);
          if (csrf !== undefined && rand() < 0.8)
            headers.push(['X-CSRF-Token', rand() < 0.9 ? csrf : 'wrong']);
        }
        const checks = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({
          action: pick(actions),
          resource: pick(resources),
        }));
        const context =
          rand() < 0.5 ? { Team: pick(['red', 'blue']), Env: pick(['prod', 'dev']), Mfa: true } : undefined;
        const facts: RequestFacts = { method: 'GET', url: '/', headers, sourceIp: pick(ips), params: {} };
        const { remote: r, local: l, fellBack } = await both(facts, checks, context);
        if (JSON.stringify(full(l)) !== JSON.stringify(full(r))) {
          mismatches.push(
            `${JSON.stringify({ headers, checks, ip: facts.sourceIp, context })}\n local ${JSON.stringify(full(l))}\n remote ${JSON.stringify(full(r))}`,
          );
        }
        if (r.authorized) counts.allowed++;
        else if (r.errorCode === 'TinyauthUnavailable') counts.unavailable++;
        else counts.denied++;
        if (fellBack) {
          counts.fellBack++;
          if (r.errorCode !== 'TinyauthUnavailable') counts.fellBackWithout500++;
        }
      };
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next++ < GENERATED) await one();
        }),
      );
      process.stdout.write(`local-vs-remote: ${GENERATED} generated requests ${JSON.stringify(counts)}\n`);
      expect(mismatches.slice(0, 5)).toEqual([]);
      // Local mode hands over only what tinyauth itself cannot answer (its 500 cases).
      expect(counts.fellBackWithout500).toBe(0);
      expect(counts.allowed).toBeGreaterThan(GENERATED / 20);
      expect(counts.denied).toBeGreaterThan(GENERATED / 4);
    });
  });
}
