import { parseSetCookie } from 'cookie';
import {
  clearedSessionCookies,
  FALLBACK_SESSION_SECONDS,
  sessionCookies,
  sessionLifetimeSeconds,
} from '../../../src/login/session-cookies';
import { jwtExpiry } from '../../../src/core/jwt';

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);
const nowSeconds = NOW / 1000;

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('jwtExpiry', () => {
  it('reads exp without verifying the signature', () => {
    expect(jwtExpiry(jwt({ user: 'reader', exp: 1700000000, iat: 1699971200 }))).toBe(1700000000);
  });

  it.each([
    ['no exp', jwt({ user: 'reader' })],
    ['a string exp', jwt({ exp: '1700000000' })],
    ['not a JWT', 'opaque-token'],
    ['bad base64 JSON', 'a.!!!.c'],
    ['a JSON array payload', `a.${Buffer.from('[1]').toString('base64url')}.c`],
  ])('is undefined for %s', (_label, token) => {
    expect(jwtExpiry(token)).toBeUndefined();
  });
});

describe('sessionLifetimeSeconds', () => {
  it('lasts until exp', () => {
    expect(sessionLifetimeSeconds(jwt({ exp: nowSeconds + 3600 }), NOW)).toBe(3600);
  });

  it('falls back to 8 hours without exp, or with an exp already past by our clock', () => {
    expect(sessionLifetimeSeconds('opaque', NOW)).toBe(FALLBACK_SESSION_SECONDS);
    expect(sessionLifetimeSeconds(jwt({ exp: nowSeconds - 5 }), NOW)).toBe(FALLBACK_SESSION_SECONDS);
  });
});

describe('sessionCookies', () => {
  const token = jwt({ user: 'reader', mfa: false, exp: nowSeconds + 28800, iat: nowSeconds });

  it('sets an HttpOnly, Secure, SameSite=Lax tinysess expiring with the token', () => {
    const [session, ...rest] = sessionCookies({ token }, true, NOW);
    expect(rest).toEqual([]);
    expect(parseSetCookie(session)).toMatchObject({
      name: 'tinysess',
      value: token,
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/',
      maxAge: 28800,
      expires: new Date(NOW + 28800 * 1000),
    });
  });

  it('adds a script-readable tinycsrf for the header-token strategy, and drops Secure when asked', () => {
    const [session, csrf] = sessionCookies(
      { token, csrf: 'c5f1e0c2-0000-4000-8000-000000000000' },
      false,
      NOW,
    );
    expect(session).not.toMatch(/Secure/i);
    const parsed = parseSetCookie(csrf);
    expect(parsed).toMatchObject({
      name: 'tinycsrf',
      value: 'c5f1e0c2-0000-4000-8000-000000000000',
      path: '/',
    });
    expect(parsed.httpOnly).toBeFalsy();
    expect(parsed.secure).toBeFalsy();
    expect(csrf).toMatch(/SameSite=Lax/);
  });
});

describe('clearedSessionCookies', () => {
  it('empties and expires both cookies with the same path and flags', () => {
    const [session, csrf] = clearedSessionCookies(true).map((c) => parseSetCookie(c));
    expect(session).toMatchObject({
      name: 'tinysess',
      value: '',
      path: '/',
      httpOnly: true,
      secure: true,
      maxAge: 0,
    });
    expect(csrf).toMatchObject({ name: 'tinycsrf', value: '', path: '/', secure: true, maxAge: 0 });
    expect(session.expires?.getTime()).toBe(0);
  });
});
