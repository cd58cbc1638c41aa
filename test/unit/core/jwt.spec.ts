import { createHmac } from 'node:crypto';
import { decodeJwtUnverified, jwtKey, signJwt, verifyJwt } from '../../../src/core';
import { loadHttpExchanges } from '../../helpers/conformance';

const key = Buffer.alloc(32, 7);
const now = 1_700_000_000;

function forge(header: object, payload: object, alg: 'sha256' | 'sha384' | 'sha512', k: Buffer): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac(alg, k).update(input).digest('base64url')}`;
}

describe('jwt', () => {
  it('signs like PyJWT 2 (sorted header, claims in order, non-ASCII escaped)', () => {
    const t = signJwt({ user: 'zoë', mfa: false, exp: 2, iat: 1 }, key);
    const [h, p] = t.split('.');
    expect(Buffer.from(h, 'base64url').toString()).toBe('{"alg":"HS256","typ":"JWT"}');
    expect(Buffer.from(p, 'base64url').toString()).toBe('{"user":"zo\\u00eb","mfa":false,"exp":2,"iat":1}');
  });

  it('reproduces a recorded token byte for byte', () => {
    const data = loadHttpExchanges();
    const ex = data.exchanges.find((e) => e.name === 'abt minted long-lived alice token');
    const cookie =
      (ex?.request.json as { headers: string[][] }).headers.find((h) => h[0] === 'Cookie')?.[1] ?? '';
    const recorded = cookie.replace('tinysess=', '');
    const k = jwtKey({
      region: 'global',
      service: 'myservice',
      date: '20240101',
      identity: 'alice',
      secret: data.server_config.SECRET_SIGNING_KEY,
    });
    expect(signJwt({ user: 'alice', mfa: false, exp: 4102444800, iat: 1704067200 }, k)).toBe(recorded);
    expect(verifyJwt(recorded, k, 1_800_000_000).ok).toBe(true);
    expect(verifyJwt(recorded, k, now)).toMatchObject({ ok: false, failure: 'not-yet-valid' });
  });

  it('verifies HS256/384/512 and rejects none, other keys and tampering', () => {
    const claims = { user: 'a', mfa: false, exp: now + 10, iat: now - 10 };
    expect(verifyJwt(signJwt(claims, key, 'HS384'), key, now).ok).toBe(true);
    expect(verifyJwt(signJwt(claims, key, 'HS512'), key, now).ok).toBe(true);
    const good = signJwt(claims, key);
    expect(verifyJwt(good, Buffer.alloc(32, 8), now)).toMatchObject({ ok: false, failure: 'signature' });
    const [h, p, s] = good.split('.');
    const flipped = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    expect(verifyJwt(flipped, key, now).ok).toBe(false);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expect(verifyJwt(none, key, now)).toMatchObject({ ok: false, failure: 'algorithm' });
    expect(verifyJwt(forge({ alg: 'RS256' }, claims, 'sha256', key), key, now).ok).toBe(false);
    // A signature of another length (empty, cut short, HS512-sized on an HS256 header) is a failed signature.
    const full = Buffer.from(s, 'base64url');
    for (const sig of [Buffer.alloc(0), full.subarray(0, 16), Buffer.concat([full, full])]) {
      const other = `${h}.${p}.${sig.toString('base64url')}`;
      expect(verifyJwt(other, key, now)).toMatchObject({ ok: false, failure: 'signature' });
    }
  });

  it('checks exp without leeway, rejects a future iat / nbf and a truthy aud', () => {
    const t = (c: object): string => signJwt(c as Record<string, unknown>, key);
    expect(verifyJwt(t({ exp: now }), key, now)).toMatchObject({ ok: false, failure: 'expired' });
    expect(verifyJwt(t({ exp: now + 1 }), key, now).ok).toBe(true);
    expect(verifyJwt(t({ exp: String(now + 100) }), key, now).ok).toBe(true);
    expect(verifyJwt(t({ exp: 'soon' }), key, now).ok).toBe(false);
    expect(verifyJwt(t({ iat: now + 1 }), key, now)).toMatchObject({ ok: false, failure: 'not-yet-valid' });
    expect(verifyJwt(t({ iat: now }), key, now).ok).toBe(true);
    expect(verifyJwt(t({ iat: String(now) }), key, now).ok).toBe(false);
    expect(verifyJwt(t({ nbf: now + 5 }), key, now).ok).toBe(false);
    expect(verifyJwt(t({ aud: 'x' }), key, now).ok).toBe(false);
    expect(verifyJwt(t({ aud: '' }), key, now).ok).toBe(true);
    expect(verifyJwt(t({}), key, now).ok).toBe(true);
  });

  it('decodes unverified and fails like PyJWT on garbage', () => {
    for (const bad of [
      '',
      'not-a-jwt',
      'a.b',
      'a.b.c',
      '..',
      'e30.W10.',
      'W10.e30.',
      'e30.e30.x',
      '\uD800.e30.',
    ]) {
      expect(decodeJwtUnverified(bad).ok).toBe(false);
    }
    expect(decodeJwtUnverified('e30.e30.').ok).toBe(true);
    const d = decodeJwtUnverified(signJwt({ __proto__: 1, user: 'u' }, key));
    expect(d.ok && Object.hasOwn(d.jwt.payload, 'user')).toBe(true);
  });
});
