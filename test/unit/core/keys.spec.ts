import { basicAuthKey, deriveScopedKey, deriveScopedKeySteps, jwtKey, utcDateStamp } from '../../../src/core';
import { loadSubkeyCases } from '../../helpers/conformance';

const { cases } = loadSubkeyCases();

describe('scoped key derivation: golden vectors from tinyauth.subkey', () => {
  it.each(
    cases.map(
      (c) => [`${c.id} ${c.service}/${c.region}/${c.date}/${JSON.stringify(c.identity)}`, c] as const,
    ),
  )('%s', (_t, c) => {
    const scope = { region: c.region, service: c.service, date: c.date };
    const basic = basicAuthKey({ ...scope, keyId: c.identity, secret: c.secret });
    const jwt = jwtKey({ ...scope, identity: c.identity, secret: c.secret });
    expect(basic.toString('hex')).toBe(c.basic_auth.hex);
    expect(basic.toString('base64')).toBe(c.basic_auth.base64);
    expect(jwt.toString('hex')).toBe(c.jwt.hex);
    expect(jwt.toString('base64')).toBe(c.jwt.base64);
    const input = { ...scope, identity: c.identity, secret: c.secret };
    expect(
      deriveScopedKeySteps({ ...input, requestType: 'basic_auth_request' }).map((b) => b.toString('hex')),
    ).toEqual(c.basic_auth_steps_hex);
    expect(
      deriveScopedKeySteps({ ...input, requestType: 'jwt_request' }).map((b) => b.toString('hex')),
    ).toEqual(c.jwt_steps_hex);
    expect(deriveScopedKey({ ...input, requestType: 'jwt_request' }).equals(jwt)).toBe(true);
  });
});

describe('utcDateStamp', () => {
  it('formats the UTC date of a Date or epoch seconds', () => {
    expect(utcDateStamp(new Date('2024-02-29T23:59:59Z'))).toBe('20240229');
    expect(utcDateStamp(1704067200)).toBe('20240101');
    expect(utcDateStamp(1704067199.9)).toBe('20231231');
    expect(utcDateStamp(-0.5)).toBe('19691231');
    expect(utcDateStamp(-62135596800)).toBe('00010101');
  });

  it('rejects dates outside years 1..9999 like Python', () => {
    expect(() => utcDateStamp(1e15)).toThrow(RangeError);
    expect(() => utcDateStamp(-62135596801)).toThrow(RangeError);
  });

  it('accepts a date stamp or a Date in the helpers', () => {
    const a = basicAuthKey({ region: 'global', service: 's', date: '20240101', keyId: 'k', secret: 'x' });
    const b = basicAuthKey({
      region: 'global',
      service: 's',
      date: new Date('2024-01-01T12:00:00Z'),
      keyId: 'k',
      secret: 'x',
    });
    expect(a.equals(b)).toBe(true);
  });
});
