import { basicAuthKey, identify, jwtKey, signJwt, type KeySource } from '../../../src/core';

const SECRET = 'server-signing-key';
const now = new Date('2024-06-01T12:00:00Z');
const iat = Math.floor(now.getTime() / 1000) - 60;

// A key source holding only derived keys, as a local decision mode would.
const keys: KeySource = {
  userJwtKey: (region, service, date, user) =>
    ['alice', 'zoë'].includes(user)
      ? jwtKey({ region, service, date, identity: user, secret: SECRET })
      : undefined,
  accessKey: async (region, service, date, keyId) =>
    keyId === 'AKALICE'
      ? { key: basicAuthKey({ region, service, date, keyId, secret: 'alice-secret' }), identity: 'alice' }
      : undefined,
};

function basic(id: string, secret: string): [string, string] {
  return ['Authorization', `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`];
}

function session(claims: Record<string, unknown>, service = 'svc', region = 'global'): [string, string] {
  const date = new Date((claims.iat as number) * 1000).toISOString().slice(0, 10).replace(/-/g, '');
  const key = jwtKey({ region, service, date, identity: String(claims.user), secret: SECRET });
  return ['Cookie', `tinysess=${signJwt(claims, key)}`];
}

const id = (headers: [string, string][], service = 'svc', region = 'global') =>
  identify(headers, region, service, keys, now);

describe('identify', () => {
  it('accepts a Basic access key in any region / service, with Mfa false', async () => {
    await expect(id([basic('AKALICE', 'alice-secret')])).resolves.toEqual({
      ok: true,
      identity: 'alice',
      mfa: false,
    });
    await expect(
      id([['authorization', basic('AKALICE', 'alice-secret')[1]]], 'other', 'eu'),
    ).resolves.toMatchObject({
      ok: true,
    });
  });

  it.each([
    ['no headers', [], 'UnsignedRequest'],
    [
      'lower-case basic prefix',
      [['Authorization', `basic ${Buffer.from('AKALICE:alice-secret').toString('base64')}`]],
      'UnsignedRequest',
    ],
    ['Bearer', [['Authorization', 'Bearer x.y.z']], 'UnsignedRequest'],
    ['bad base64', [['Authorization', 'Basic !!!not-base64!!!']], 'InvalidSignature'],
    [
      'no colon',
      [['Authorization', `Basic ${Buffer.from('AKALICE').toString('base64')}`]],
      'InvalidSignature',
    ],
    ['empty credentials', [['Authorization', 'Basic ']], 'InvalidSignature'],
    [
      'invalid UTF-8',
      [['Authorization', `Basic ${Buffer.from([0xff, 0x3a, 0x41]).toString('base64')}`]],
      'InvalidSignature',
    ],
    ['unknown key', [basic('AKNOPE', 'x')], 'NoSuchKey'],
    ['wrong secret', [basic('AKALICE', 'wrong')], 'InvalidSignature'],
  ] as [string, [string, string][], string][])('%s -> %s', async (_n, headers, code) => {
    await expect(id(headers)).resolves.toEqual({ ok: false, errorCode: code });
  });

  it('accepts a session cookie minted for the same service and region only', async () => {
    const c = session({ user: 'alice', mfa: false, exp: iat + 28800, iat });
    await expect(id([c])).resolves.toEqual({ ok: true, identity: 'alice', mfa: false });
    await expect(id([c], 'other')).resolves.toEqual({ ok: false, errorCode: 'InvalidSignature' });
    await expect(id([c], 'svc', 'eu-west-1')).resolves.toEqual({ ok: false, errorCode: 'InvalidSignature' });
  });

  it('merges all Cookie headers and never falls back to Basic after a bad session', async () => {
    const c = session({ user: 'alice', mfa: false, iat });
    await expect(
      id([
        ['Cookie', 'a=1'],
        ['cookie', `b=2; ${c[1]}`],
      ]),
    ).resolves.toMatchObject({ ok: true });
    await expect(id([['Cookie', 'theme=dark'], basic('AKALICE', 'alice-secret')])).resolves.toMatchObject({
      ok: true,
    });
    const bad = session({ user: 'alice', mfa: false, iat, exp: iat - 1 });
    await expect(id([bad, basic('AKALICE', 'alice-secret')])).resolves.toEqual({
      ok: false,
      errorCode: 'InvalidSignature',
    });
  });

  it('checks the csrf-token claim against X-CSRF-Token only', async () => {
    const c = session({ user: 'alice', mfa: false, iat, 'csrf-token': 'abc' });
    await expect(id([c])).resolves.toEqual({ ok: false, errorCode: 'CsrfError' });
    await expect(id([c, ['Cookie', 'tinycsrf=abc']])).resolves.toEqual({ ok: false, errorCode: 'CsrfError' });
    await expect(id([c, ['x-csrf-token', 'abc']])).resolves.toMatchObject({ ok: true });
  });

  it('reproduces the server-side failures of the real server', async () => {
    await expect(id([['Cookie', 'tinysess=not-a-jwt']])).resolves.toHaveProperty('serverError');
    await expect(id([['Cookie', 'tinysess=']])).resolves.toHaveProperty('serverError');
    const key = jwtKey({
      region: 'global',
      service: 'svc',
      date: '20240601',
      identity: 'alice',
      secret: SECRET,
    });
    await expect(
      id([['Cookie', `tinysess=${signJwt({ user: 'alice', mfa: false }, key)}`]]),
    ).resolves.toHaveProperty('serverError');
    const noMfa = session({ user: 'alice', iat });
    await expect(id([noMfa])).resolves.toHaveProperty('serverError');
    await expect(id([['Authorization', 'Basic \u{1F34E}']])).resolves.toHaveProperty('serverError');
  });

  it('maps a non-string user to InvalidSignature and an unknown user to NoSuchKey', async () => {
    await expect(id([session({ user: 666, mfa: false, iat })])).resolves.toEqual({
      ok: false,
      errorCode: 'InvalidSignature',
    });
    await expect(id([session({ user: 'ghost', mfa: false, iat })])).resolves.toEqual({
      ok: false,
      errorCode: 'NoSuchKey',
    });
  });

  it('rejects a future iat and alg none', async () => {
    await expect(id([session({ user: 'alice', mfa: false, iat: iat + 3600 })])).resolves.toEqual({
      ok: false,
      errorCode: 'InvalidSignature',
    });
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ user: 'alice', mfa: false, iat })).toString('base64url')}.`;
    await expect(id([['Cookie', `tinysess=${none}`]])).resolves.toEqual({
      ok: false,
      errorCode: 'InvalidSignature',
    });
  });

  it('handles unicode users and secrets as UTF-8', async () => {
    await expect(id([session({ user: 'zoë', mfa: true, iat })])).resolves.toEqual({
      ok: true,
      identity: 'zoë',
      mfa: true,
    });
  });
});
