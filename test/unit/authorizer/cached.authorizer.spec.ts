import { CachedAuthorizer } from '../../../src/authorizer/cached.authorizer';
import type { Authorizer } from '../../../src/authorizer/authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from '../../../src/authorizer/decision';
import type { RequestFacts } from '../../../src/request/request-facts';

const facts = (authorization: string, sourceIp = '10.0.0.1'): RequestFacts => ({
  method: 'GET',
  url: '/',
  headers: [['Authorization', authorization]],
  sourceIp,
  params: {},
});
const checks: TinyauthCheck[] = [
  { action: 'GetApple', resource: 'arn:tinyauth:apples:default::apples/fred' },
];
const allow = (): TinyauthDecision => ({
  authorized: true,
  identity: 'alice',
  permitted: { GetApple: [checks[0].resource] },
  notPermitted: {},
});
const deny = (): TinyauthDecision => ({
  authorized: false,
  errorCode: 'NotPermitted',
  permitted: {},
  notPermitted: { GetApple: [checks[0].resource] },
});

function fakeRemote(answer: (f: RequestFacts) => TinyauthDecision, delayMs = 0) {
  const remote = { calls: 0 } as Authorizer & { calls: number };
  remote.authorize = async (f) => {
    remote.calls++;
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return answer(f);
  };
  return remote;
}

describe('CachedAuthorizer', () => {
  let t = 0;
  const now = () => t;
  beforeEach(() => (t = 1_000_000));

  it('reuses allow decisions for the TTL, keyed on credentials and source address', async () => {
    const remote = fakeRemote(allow);
    const cached = new CachedAuthorizer(remote, { cacheTtlMs: 1000, cacheMaxEntries: 10 }, now);
    await cached.authorize(facts('Basic a'), checks);
    await cached.authorize(facts('Basic a'), checks);
    expect(remote.calls).toBe(1);
    await cached.authorize(facts('Basic b'), checks);
    await cached.authorize(facts('Basic a', '10.0.0.2'), checks);
    await cached.authorize(facts('Basic a'), checks, { Team: 'red' });
    expect(remote.calls).toBe(4);
    t += 1000;
    await cached.authorize(facts('Basic a'), checks);
    expect(remote.calls).toBe(5);
  });

  it('never answers a resource with a lone surrogate from the allow of U+FFFD (their UTF-8 is the same)', async () => {
    const fffd = [{ action: 'GetApple', resource: 'doc/\uFFFD' }];
    const lone = [{ action: 'GetApple', resource: 'doc/\uD800' }];
    const remote = fakeRemote((f) => ({
      authorized: true,
      identity: 'alice',
      permitted: { GetApple: [f.url === '/lone' ? lone[0].resource : fffd[0].resource] },
      notPermitted: {},
    }));
    const cached = new CachedAuthorizer(remote, { cacheTtlMs: 1000, cacheMaxEntries: 10 }, now);
    await cached.authorize(facts('Basic a'), fffd);
    await cached.authorize({ ...facts('Basic a'), url: '/lone' }, lone);
    await cached.authorize({ ...facts('Basic a'), url: '/lone' }, lone);
    // Asked both times: the second resource is never keyed, so never cached nor joined to the first.
    expect(remote.calls).toBe(3);
  });

  it('never reuses denials', async () => {
    const remote = fakeRemote(deny);
    const cached = new CachedAuthorizer(remote, { cacheTtlMs: 1000, cacheMaxEntries: 10 }, now);
    await cached.authorize(facts('Basic a'), checks);
    expect((await cached.authorize(facts('Basic a'), checks)).authorized).toBe(false);
    expect(remote.calls).toBe(2);
  });

  it('hands out copies, so a caller cannot alter what later callers get', async () => {
    const cached = new CachedAuthorizer(fakeRemote(allow), { cacheTtlMs: 1000, cacheMaxEntries: 10 }, now);
    const first = await cached.authorize(facts('Basic a'), checks);
    first.permitted.GetApple.push('tampered');
    first.identity = 'mallory';
    const second = await cached.authorize(facts('Basic a'), checks);
    expect(second).toEqual({ ...allow(), source: 'cache' });
  });

  it('coalesces identical checks in flight and keeps different ones apart', async () => {
    const remote = fakeRemote(allow, 20);
    const cached = new CachedAuthorizer(remote, { cacheTtlMs: 1000, cacheMaxEntries: 10 }, Date.now);
    await Promise.all([
      cached.authorize(facts('Basic a'), checks),
      cached.authorize(facts('Basic a'), checks),
      cached.authorize(facts('Basic b'), checks),
    ]);
    expect(remote.calls).toBe(2);
  });

  it('still decides (uncached) when the context cannot be keyed', async () => {
    const remote = fakeRemote(allow);
    const cached = new CachedAuthorizer(remote, { cacheTtlMs: 1000, cacheMaxEntries: 10 }, now);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await cached.authorize(facts('Basic a'), checks, cyclic);
    await cached.authorize(facts('Basic a'), checks, cyclic);
    expect(remote.calls).toBe(2);
  });
});
