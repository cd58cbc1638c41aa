import {
  addressKey,
  LoginRateLimiter,
  type CountedAttempt,
  type LoginRateLimitPolicy,
} from '../../../src/login/login-rate-limiter';

const POLICY: LoginRateLimitPolicy = {
  windowMs: 60_000,
  maxFailuresPerAddress: 3,
  maxFailuresPerUser: 5,
  maxEntries: 100,
};

function limiter(policy: Partial<LoginRateLimitPolicy> = {}) {
  const clock = {
    time: 1_000_000,
    now(): number {
      return this.time;
    },
  };
  return { clock, limiter: new LoginRateLimiter({ ...POLICY, ...policy }, clock) };
}

function counted(attempt: ReturnType<LoginRateLimiter['begin']>): CountedAttempt {
  if (!attempt.allowed) throw new Error(`refused by the ${attempt.scope} limit`);
  return attempt;
}

function fail(l: LoginRateLimiter, ip: string, user: string, times = 1): void {
  for (let i = 0; i < times; i++) counted(l.begin(ip, user)).failed();
}

describe('LoginRateLimiter', () => {
  it('refuses an address past its failures, with the rest of the window as Retry-After', () => {
    const { clock, limiter: l } = limiter();
    fail(l, '203.0.113.5', 'alice', 3);
    clock.time += 15_500;
    expect(l.begin('203.0.113.5', 'bob')).toEqual({
      allowed: false,
      scope: 'address',
      retryAfterSeconds: 45,
    });
    // Another address may still try the same names.
    expect(l.begin('198.51.100.7', 'alice').allowed).toBe(true);
  });

  it('frees the address exactly when its window ends, and refused attempts do not extend it', () => {
    const { clock, limiter: l } = limiter();
    fail(l, '203.0.113.5', 'alice', 3);
    for (let i = 0; i < 50; i++) {
      clock.time += 1000;
      expect(l.begin('203.0.113.5', 'alice').allowed).toBe(false);
    }
    clock.time = 1_000_000 + 59_999;
    expect(l.begin('203.0.113.5', 'alice')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.time = 1_000_000 + 60_000;
    expect(l.begin('203.0.113.5', 'alice').allowed).toBe(true);
  });

  it('limits a user name across addresses, but one address alone is stopped before it can lock the name', () => {
    const { limiter: l } = limiter();
    fail(l, '203.0.113.5', 'alice', 3);
    expect(l.begin('203.0.113.5', 'alice')).toMatchObject({ allowed: false, scope: 'address' });
    // The victim, elsewhere, can still sign in: 3 failures are below the name's limit of 5.
    expect(l.begin('192.0.2.10', 'alice').allowed).toBe(true);
  });

  it('locks a user name attacked from several addresses, for one window only', () => {
    const { clock, limiter: l } = limiter();
    fail(l, '203.0.113.5', 'alice', 3);
    fail(l, '203.0.113.6', 'alice', 2);
    expect(l.begin('192.0.2.10', 'alice')).toEqual({ allowed: false, scope: 'user', retryAfterSeconds: 60 });
    expect(l.begin('192.0.2.10', 'bob').allowed).toBe(true);
    clock.time += 60_000;
    expect(l.begin('192.0.2.10', 'alice').allowed).toBe(true);
  });

  it('reports reaching each limit once per window', () => {
    const { clock, limiter: l } = limiter();
    const reached = [1, 2, 3].map(() => counted(l.begin('203.0.113.5', `user${Math.random()}`)).failed());
    expect(reached).toEqual([[], [], ['address']]);
    clock.time += 60_000;
    const again = [1, 2, 3].map(() => counted(l.begin('203.0.113.5', 'alice')).failed());
    expect(again).toEqual([[], [], ['address']]);
    const user = ['203.0.113.9', '203.0.113.9'].map((ip) => counted(l.begin(ip, 'alice')).failed());
    expect(user).toEqual([[], ['user']]);
  });

  it('counts attempts in flight, so a parallel burst cannot exceed the limit', () => {
    const { limiter: l } = limiter();
    const burst = Array.from({ length: 10 }, () => l.begin('203.0.113.5', 'alice'));
    expect(burst.filter((a) => a.allowed)).toHaveLength(3);
  });

  it('a success clears the name but not the address (an account of your own cannot reset your budget)', () => {
    const { limiter: l } = limiter();
    fail(l, '203.0.113.5', 'alice', 2);
    fail(l, '203.0.113.6', 'alice', 2);
    counted(l.begin('203.0.113.6', 'alice')).succeeded();
    // alice's name starts again from zero: 4 more failures from fresh addresses do not lock it.
    fail(l, '198.51.100.1', 'alice', 2);
    fail(l, '198.51.100.2', 'alice', 2);
    expect(l.begin('198.51.100.3', 'alice').allowed).toBe(true);
    // The address that failed twice and then succeeded still has those two failures: one more and it is limited.
    fail(l, '203.0.113.6', 'mallory');
    expect(l.begin('203.0.113.6', 'bob')).toMatchObject({ allowed: false, scope: 'address' });
  });

  it('uncounts an attempt that got no answer', () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 10; i++) counted(l.begin('203.0.113.5', 'alice')).abandoned();
    expect(l.begin('203.0.113.5', 'alice').allowed).toBe(true);
  });

  it('ends an attempt only once', () => {
    const { limiter: l } = limiter();
    const attempt = counted(l.begin('203.0.113.5', 'alice'));
    attempt.failed();
    attempt.abandoned();
    attempt.succeeded();
    fail(l, '203.0.113.5', 'alice', 2);
    expect(l.begin('203.0.113.5', 'alice').allowed).toBe(false);
  });

  it('stays bounded', () => {
    const { limiter: l } = limiter({ maxEntries: 2 });
    fail(l, '203.0.113.5', 'a', 3);
    fail(l, '203.0.113.6', 'b');
    fail(l, '203.0.113.7', 'c');
    // The first address was the least recently used of three: forgotten.
    expect(l.begin('203.0.113.5', 'd').allowed).toBe(true);
  });
});

describe('addressKey', () => {
  it.each([
    ['203.0.113.5', '203.0.113.5'],
    ['::ffff:203.0.113.5', '203.0.113.5'],
    ['2001:db8:1:2:aaaa::1', '20010db800010002::/64'],
    ['2001:db8:1:2:bbbb:cccc:dddd:eeee', '20010db800010002::/64'],
    ['2001:db8:1:3::1', '20010db800010003::/64'],
    ['', ''],
  ])('keys %j as %j', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});
