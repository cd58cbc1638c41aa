/**
 * `local` mode must not serve stale policies while tinyauth is reachable: a 500 for one user's resource (a deleted
 * user, a policy tinyauth cannot merge) is about that user, not an outage, and must not hold back the refresh of
 * anyone else's policy. Also: cookies tinyauth would un-escape are left for tinyauth to read.
 */
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { LocalAuthorizer } from '../../src/authorizer/local/local.authorizer';
import { RemoteAuthorizer } from '../../src/authorizer/remote.authorizer';
import { TinyauthClient } from '../../src/client/tinyauth-client';
import { resolveTinyauthOptions } from '../../src/options/resolve-options';
import type { RequestFacts } from '../../src/request/request-facts';
import { startTinyauthServer, type Fixture } from 'nestjs-tinyauth/testing';
import { middayToday } from '../helpers/frozen-clock';

const ALLOW = { Statement: [{ Effect: 'Allow', Action: 'apples:*', Resource: '*' }] };
const SERVICE = {
  username: 'svc',
  access_keys: [['AKSVC', 'svc-secret']],
  policies: [{ name: 'all', policy: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
};
type Mallory = 'ok' | 'deleted' | 'broken';

function fixture(aliceAllowed: boolean, mallory: Mallory): Fixture {
  const malloryUser = {
    username: 'mallory',
    access_keys: [['AKMAL', 'mal-secret']],
    // `Statement: 5` is stored, but tinyauth cannot merge it: user-policies answers 500 for mallory.
    policies: [{ name: 'q', policy: mallory === 'ok' ? ALLOW : { Statement: 5 } }],
  };
  return {
    users: [
      {
        username: 'alice',
        access_keys: [['AKALICE', 'alice-secret']],
        policies: aliceAllowed ? [{ name: 'p', policy: ALLOW }] : [],
      },
      // A deleted user: tinyauth answers 500 for its policies (quirk 2).
      ...(mallory === 'deleted' ? [] : [malloryUser]),
    ],
    root: SERVICE,
  } as Fixture;
}

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const facts = (headers: Array<[string, string]>): RequestFacts => ({
  method: 'GET',
  url: '/',
  headers,
  sourceIp: '10.0.0.1',
  params: {},
});
const checks = [{ action: 'GetApple', resource: 'arn:tinyauth:apples:default::apples/fred' }];
const ALICE = facts([['Authorization', basic('AKALICE', 'alice-secret')]]);
const MALLORY = facts([['Authorization', basic('AKMAL', 'mal-secret')]]);

describe('local mode while tinyauth is reachable', () => {
  let server: Awaited<ReturnType<typeof startTinyauthServer>>;
  let client: TinyauthClient;
  let clock: number;
  let local: LocalAuthorizer;
  let remote: RemoteAuthorizer;

  beforeEach(async () => {
    server = await startTinyauthServer({ fixture: fixture(true, 'ok') });
    // Minutes are added below; starting at noon UTC, the key date never changes under the test.
    clock = middayToday();
    const options = resolveTinyauthOptions({
      endpoint: server.url,
      accessKeyId: 'AKSVC',
      secretAccessKey: 'svc-secret',
      service: 'apples',
    });
    client = new TinyauthClient(new HttpService(axios.create()), options);
    remote = new RemoteAuthorizer(client);
    local = new LocalAuthorizer(
      client,
      remote,
      { service: 'apples', cacheMaxEntries: 100, maxStaleMs: 600_000, negativeCacheTtlMs: 30_000 },
      () => clock,
    );
  });
  afterEach(async () => {
    await client.onModuleDestroy();
    await server.close();
  });

  it.each<[string, Mallory | undefined]>([
    ['with no other traffic', undefined],
    ["after a deleted user's request", 'deleted'],
    ['after a request by a user whose policy tinyauth cannot merge', 'broken'],
  ])('applies a revocation once the policy expires, %s', async (_name, mallory) => {
    expect((await local.authorize(ALICE, checks)).authorized).toBe(true);
    await local.authorize(MALLORY, checks); // mallory's signing key is now cached
    await server.store.reload(fixture(false, mallory ?? 'ok'));
    clock += 61_000; // alice's policy (max-age=60) has expired
    if (mallory !== undefined) {
      const malloryDecision = await local.authorize(MALLORY, checks);
      expect(malloryDecision.authorized).toBe(false);
    }
    clock += 500;
    const alice = await local.authorize(ALICE, checks);
    expect(alice).toMatchObject({ authorized: false, errorCode: 'NotPermitted' });
  });

  it("stops trusting a deleted access key once keyCacheMaxMs has passed, not after tinyauth's 3 days", async () => {
    expect((await local.authorize(ALICE, checks)).authorized).toBe(true);
    const withoutKey = fixture(true, 'ok');
    await server.store.reload({
      ...withoutKey,
      users: (withoutKey.users ?? []).map((u) => (u.username === 'alice' ? { ...u, access_keys: [] } : u)),
    });
    clock += 61_000; // the verified-credential memo (60 s) has lapsed; the key itself is still cached
    expect((await local.authorize(ALICE, checks)).authorized).toBe(true);
    clock += 300_000; // past the default 5-minute cap on signing keys
    expect(await local.authorize(ALICE, checks)).toMatchObject({ authorized: false, errorCode: 'NoSuchKey' });
  });

  it('reads quoted cookie names as tinyauth does, without asking it', async () => {
    // tinyauth never unquotes a name: `"tinysess"` is another cookie, so the Basic key decides (conformance http-207).
    const asked = jest.spyOn(remote, 'authorize');
    const request = facts([
      ['Cookie', '"tinysess"=garbage'],
      ['Authorization', basic('AKALICE', 'alice-secret')],
    ]);
    const decision = await local.authorize(request, checks);
    expect(asked).not.toHaveBeenCalled();
    expect(decision).toMatchObject({ authorized: true, identity: 'alice' });
    // The same decision as tinyauth's, answered from another source.
    expect(decision).toEqual({ ...(await remote.authorize(request, checks)), source: 'local' });
  });
});
