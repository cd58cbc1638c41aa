/**
 * Differential over Cookie header shapes: `remote` (tinyauth itself, here the compatible server loaded with the
 * recorded fixture, which replays the real server's `authorize-by-token cookies` answers), `cached` and `local`
 * must reach the same decision for every shape, and a cached allow never outlives the `exp` of the session
 * tinyauth read, whatever the shape it came in.
 */
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { startTinyauthServer, type Fixture, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { TinyauthClient } from '../../src/client/tinyauth-client';
import { resolveTinyauthOptions } from '../../src/options/resolve-options';
import { RemoteAuthorizer } from '../../src/authorizer/remote.authorizer';
import { CachedAuthorizer } from '../../src/authorizer/cached.authorizer';
import { LocalAuthorizer } from '../../src/authorizer/local';
import type { Authorizer } from '../../src/authorizer/authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from '../../src/authorizer/decision';
import type { RequestFacts } from '../../src/request/request-facts';
import { jwtKey, signJwt, utcDateStamp } from '../../src/core';
import { loadHttpExchanges } from '../helpers/conformance';

const data = loadHttpExchanges();
const SECRET = data.server_config.SECRET_SIGNING_KEY;
const CHECKS: TinyauthCheck[] = [
  { action: 'GetApple', resource: 'arn:tinyauth:myservice:default::apples/fred' },
];
const DAVE = `Basic ${Buffer.from('AKDAVE:dave-secret').toString('base64')}`;

function session(user: string, expSeconds: number, extra: Record<string, unknown> = {}): string {
  const iat = Math.floor(Date.now() / 1000) - 60;
  const key = jwtKey({
    region: 'global',
    service: 'myservice',
    date: utcDateStamp(new Date(iat * 1000)),
    identity: user,
    secret: SECRET,
  });
  return signJwt({ user, mfa: false, exp: expSeconds, iat, ...extra }, key);
}

/** What a Node server hands the app for a header sent as UTF-8 bytes: one Latin-1 character per byte. */
const asNodeHeader = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

/** Cookie header lists, each built around a session token `t`. */
const SHAPES: Array<[string, (t: string) => string[]]> = [
  ['plain', (t) => [`tinysess=${t}`]],
  ['quoted', (t) => [`tinysess="${t}"`]],
  ['quoted, first character escaped', (t) => [`tinysess="\\${t}"`]],
  [
    'quoted, first character as an octal escape',
    (t) => [`tinysess="\\${t.charCodeAt(0).toString(8)}${t.slice(1)}"`],
  ],
  ['quoted, unterminated', (t) => [`tinysess="${t}`]],
  ['a quote at the end only', (t) => [`tinysess=${t}"`]],
  ['spaces around =', (t) => [`tinysess = ${t}`]],
  ['tabs around separators', (t) => [`theme=dark;\ttinysess=${t}\t;\tlang=en`]],
  ['bare name', () => ['tinysess']],
  ['empty value', () => ['tinysess=']],
  ['quoted empty value', () => ['tinysess=""']],
  ['bare name before a session', (t) => [`tinysess; tinysess=${t}`]],
  ['bare name after a session', (t) => [`tinysess=${t}; tinysess`]],
  ['another bare name before', (t) => [`theme; tinysess=${t}`]],
  ['duplicates, session first', (t) => [`tinysess=${t}; tinysess=not-a-jwt`]],
  ['duplicates, garbage first', (t) => [`tinysess=not-a-jwt; tinysess=${t}`]],
  ['two headers, session first', (t) => [`tinysess=${t}`, 'tinysess=not-a-jwt']],
  ['two headers, garbage first', (t) => ['tinysess=not-a-jwt', `tinysess=${t}`]],
  ['two headers, the second without a session', (t) => [`tinysess=${t}`, 'theme=dark']],
  ['empty pairs', (t) => [`;;tinysess=${t};;`]],
  ['trailing semicolon', (t) => [`theme=dark; tinysess=${t};`]],
  ['comma before', (t) => [`theme=dark, tinysess=${t}`]],
  ['comma after', (t) => [`tinysess=${t}, theme=dark`]],
  ['name in another case', (t) => [`TinySess=${t}`]],
  ['quoted name', (t) => [`"tinysess"=${t}`]],
  ['quoted, escaped name', (t) => [`"tinys\\ess"=${t}`]],
  ['leading =', (t) => [`=tinysess=${t}`]],
  ['non-ASCII neighbours', (t) => [asNodeHeader(`name=Zoë; tinysess=${t}; icon=😀`)]],
  ['non-ASCII inside the value', (t) => [asNodeHeader(`tinysess=${t}é`)]],
  ['a quoted neighbour hides a fake session', (t) => [`theme="a;tinysess=not-a-jwt"; tinysess=${t}`]],
  ['the session only inside a quoted value', (t) => [`theme="x; tinysess=${t}"`]],
  ['no Cookie value at all', () => ['']],
];

const ALICE: Outcome = { authorized: true, errorCode: undefined, identity: 'alice' };
const DAVE_ALLOWED: Outcome = { authorized: true, errorCode: undefined, identity: 'dave' };
const UNAVAILABLE: Outcome = { authorized: false, errorCode: 'TinyauthUnavailable', identity: undefined };
/** What the real tinyauth answered for these shapes (conformance http-185..210), as the remote strategy reports it. */
const RECORDED: Record<string, Outcome> = {
  'quoted, valid, false': ALICE,
  'quoted, first character escaped, valid, false': ALICE,
  'spaces around =, valid, false': ALICE,
  'bare name, valid, true': UNAVAILABLE,
  'bare name before a session, valid, false': UNAVAILABLE,
  'bare name after a session, valid, false': ALICE,
  'empty value, valid, true': UNAVAILABLE,
  'duplicates, garbage first, valid, false': UNAVAILABLE,
  'two headers, session first, valid, false': UNAVAILABLE,
  'two headers, garbage first, valid, false': ALICE,
  'comma before, valid, false': { authorized: false, errorCode: 'UnsignedRequest', identity: undefined },
  'comma after, valid, false': { authorized: false, errorCode: 'InvalidSignature', identity: undefined },
  'name in another case, valid, true': DAVE_ALLOWED,
  'quoted name, valid, true': DAVE_ALLOWED,
  'a quoted neighbour hides a fake session, valid, false': ALICE,
};

interface Outcome {
  authorized?: boolean;
  errorCode?: string;
  identity?: string;
  thrown?: string;
}

async function outcome(authorizer: Authorizer, facts: RequestFacts): Promise<Outcome> {
  try {
    const d: TinyauthDecision = await authorizer.authorize(facts, CHECKS);
    return { authorized: d.authorized, errorCode: d.errorCode, identity: d.identity };
  } catch (err) {
    return { thrown: (err as Error).constructor.name };
  }
}

class CountingAuthorizer implements Authorizer {
  calls = 0;
  constructor(private readonly inner: Authorizer) {}
  authorize(...args: Parameters<Authorizer['authorize']>): Promise<TinyauthDecision> {
    this.calls++;
    return this.inner.authorize(...args);
  }
}

describe('Cookie header shapes: cached and local decide as tinyauth reads the cookie', () => {
  let server: TinyauthServer;
  let client: TinyauthClient;
  let remote: RemoteAuthorizer;
  const options = (endpoint: string, mode: 'local' | 'cached') =>
    resolveTinyauthOptions({
      endpoint,
      accessKeyId: 'AKSVCMYSERVICE',
      secretAccessKey: 'svc-myservice-secret',
      service: 'myservice',
      mode,
    });

  beforeAll(async () => {
    server = await startTinyauthServer({ fixture: data.fixtures as Fixture, signingKey: SECRET });
    client = new TinyauthClient(new HttpService(axios.create()), options(server.url, 'local'));
    remote = new RemoteAuthorizer(client);
  });
  afterAll(async () => {
    await client.onModuleDestroy();
    await server.close();
  });

  const valid = () => session('alice', Math.floor(Date.now() / 1000) + 3600);
  const expired = () => session('alice', Math.floor(Date.now() / 1000) - 10);
  const cases: Array<[string, string, boolean]> = [];
  for (const [name] of SHAPES) {
    for (const token of ['valid', 'expired']) {
      for (const basic of [false, true]) cases.push([name, token, basic]);
    }
  }

  it.each(cases)('%s, %s session, Basic dave: %s', async (name, which, basic) => {
    const build = SHAPES.find(([n]) => n === name)![1];
    const token = which === 'valid' ? valid() : expired();
    const headers: Array<[string, string]> = [['Host', 'apples.test']];
    for (const value of build(token)) headers.push(['Cookie', value]);
    if (basic) headers.push(['Authorization', DAVE]);
    const facts = (): RequestFacts => ({ headers, sourceIp: '127.0.0.1' }) as unknown as RequestFacts;

    const expected = await outcome(remote, facts());
    const recorded = RECORDED[`${name}, ${which}, ${basic}`];
    if (recorded !== undefined) expect(expected).toEqual(recorded);
    const local = new LocalAuthorizer(client, remote, options(server.url, 'local'));
    const cached = new CachedAuthorizer(remote, { cacheTtlMs: 60_000, cacheMaxEntries: 100 });
    // Twice each: the second answer comes from the caches when the first allowed.
    for (let i = 0; i < 2; i++) {
      expect(await outcome(local, facts())).toEqual(expected);
      expect(await outcome(cached, facts())).toEqual(expected);
    }
  });

  it.each(SHAPES.map(([name]) => [name]))(
    'a cached allow for "%s" never outlives the session exp',
    async (name) => {
      const build = SHAPES.find(([n]) => n === name)![1];
      let clock = Date.now();
      const expSeconds = Math.floor(clock / 1000) + 2;
      const token = session('alice', expSeconds);
      const headers: Array<[string, string]> = build(token).map((v) => ['Cookie', v]);
      const facts = { headers, sourceIp: '127.0.0.1' } as unknown as RequestFacts;
      const counting = new CountingAuthorizer(remote);
      const cached = new CachedAuthorizer(
        counting,
        { cacheTtlMs: 60_000, cacheMaxEntries: 100 },
        () => clock,
      );
      const first = await outcome(cached, facts);
      if (first.authorized !== true) return; // nothing cached, nothing to bound
      expect(counting.calls).toBe(1);
      await cached.authorize(facts, CHECKS);
      if (name === 'non-ASCII inside the value') {
        // Not read exactly as tinyauth reads it: never cached, every request is tinyauth's to decide.
        expect(counting.calls).toBe(2);
        return;
      }
      expect(counting.calls).toBe(1); // served from the cache before exp
      clock = expSeconds * 1000; // exactly at exp: tinyauth refuses from here on
      await outcome(cached, facts);
      expect(counting.calls).toBe(2);
    },
  );
});
