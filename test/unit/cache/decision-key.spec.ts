import { credentialParts, decisionKey, type DecisionKeyInput } from '../../../src/cache/decision-key';
import { stableJson } from '../../../src/cache/stable-json';

const SECRET = 'reader-secret';
const basic = `Basic ${Buffer.from(`AKREADER:${SECRET}`).toString('base64')}`;
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYWxpY2UifQ.c2lnbmF0dXJl';

const base: DecisionKeyInput = {
  headers: [
    ['Host', 'apples.test'],
    ['Authorization', basic],
    ['Cookie', `theme=dark; tinysess=${TOKEN}`],
    ['X-CSRF-Token', 'csrf-1'],
    ['User-Agent', 'jest'],
  ],
  checks: [
    { action: 'GetApple', resource: 'arn:tinyauth:apples:default::apples/fred' },
    { action: 'ListApples', resource: 'arn:tinyauth:apples:default::apples/' },
  ],
  sourceIp: '10.0.0.1',
  context: { Team: 'red', Nested: { b: 1, a: [1, 2] } },
};

const replaceHeader = (name: string, value: string): DecisionKeyInput['headers'] =>
  base.headers.map(([n, v]) => [n, n === name ? value : v] as const);

describe('decisionKey', () => {
  const key = decisionKey(base);

  it('is a SHA-256 digest that never contains the credentials', () => {
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    for (const secret of [
      SECRET,
      basic,
      TOKEN,
      'csrf-1',
      Buffer.from(`AKREADER:${SECRET}`).toString('base64'),
    ]) {
      expect(key).not.toContain(secret);
    }
  });

  it('is stable for the same input and ignores headers that carry no credential', () => {
    expect(decisionKey({ ...base })).toBe(key);
    expect(decisionKey({ ...base, headers: replaceHeader('User-Agent', 'other') })).toBe(key);
    expect(decisionKey({ ...base, headers: [...base.headers, ['Cookie', 'theme=light']] })).toBe(key);
    // Key order of the context does not matter.
    expect(decisionKey({ ...base, context: { Nested: { a: [1, 2], b: 1 }, Team: 'red' } })).toBe(key);
  });

  const variations: Array<[string, DecisionKeyInput]> = [
    ['the Authorization header', { ...base, headers: replaceHeader('Authorization', `${basic}x`) }],
    ['the tinysess cookie', { ...base, headers: replaceHeader('Cookie', `theme=dark; tinysess=${TOKEN}x`) }],
    ['the X-CSRF-Token header', { ...base, headers: replaceHeader('X-CSRF-Token', 'csrf-2') }],
    [
      'a header name case-insensitively',
      { ...base, headers: [...base.headers, ['authorization', 'Basic eg==']] },
    ],
    [
      'an extra cookie header with a session',
      { ...base, headers: [...base.headers, ['cookie', 'tinysess=b']] },
    ],
    ['the action', { ...base, checks: [{ ...base.checks[0], action: 'DeleteApple' }, base.checks[1]] }],
    ['the resource', { ...base, checks: [{ ...base.checks[0], resource: 'arn:x' }, base.checks[1]] }],
    ['the order of the checks', { ...base, checks: [base.checks[1], base.checks[0]] }],
    ['an extra check', { ...base, checks: [...base.checks, base.checks[0]] }],
    ['the source address', { ...base, sourceIp: '10.0.0.2' }],
    ['a context value', { ...base, context: { ...base.context, Team: 'blue' } }],
    ['a nested context value', { ...base, context: { ...base.context, Nested: { b: 2, a: [1, 2] } } }],
    ['the absence of context', { ...base, context: undefined }],
  ];
  it.each(variations)('changes with %s', (_what, input) => {
    expect(decisionKey(input)).not.toBe(key);
  });

  it('does not confuse values moved between fields', () => {
    const a = decisionKey({ headers: [], checks: [{ action: 'a,b', resource: 'c' }], sourceIp: '' });
    const b = decisionKey({ headers: [], checks: [{ action: 'a', resource: 'b,c' }], sourceIp: '' });
    expect(a).not.toBe(b);
  });
});

describe('credentialParts', () => {
  it('keeps every Cookie header that could carry the session cookie whole, and only those', () => {
    expect(credentialParts([['Cookie', 'a=1; TINYSESS=x;tinysess=y; b=2']])).toEqual([
      'c',
      'a=1; TINYSESS=x;tinysess=y; b=2',
    ]);
    expect(credentialParts([['Cookie', 'a=1; b=2']])).toEqual([]);
  });

  it('keeps cookies whose quoted names or values tinyauth un-escapes into a session', () => {
    // Werkzeug reads "tinys\ess" as tinysess; a quoted value may also hide a ";".
    expect(credentialParts([['Cookie', '"tinys\\ess"=h.p.s']])).toEqual(['c', '"tinys\\ess"=h.p.s']);
    expect(credentialParts([['Cookie', '"tin\\171sess"=h.p.s']])).toHaveLength(2);
    expect(credentialParts([['cookie', 'x="a;b"']])).toHaveLength(2);
  });

  it('never gives a session-carrying request the key of an anonymous one', () => {
    const checks = [{ action: 'GetApple', resource: 'arn:tinyauth:apples:default::apples/x' }];
    const anonymous = decisionKey({ headers: [], checks, sourceIp: '10.0.0.1' });
    for (const cookie of ['"tinys\\ess"=h.p.s', 'tinysess="h.p.;s"', 'TinySess=h.p.s']) {
      expect(decisionKey({ headers: [['Cookie', cookie]], checks, sourceIp: '10.0.0.1' })).not.toBe(
        anonymous,
      );
    }
  });
});

describe('stableJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(stableJson({ b: [{ y: 1, x: 2 }], a: null })).toBe('{"a":null,"b":[{"x":2,"y":1}]}');
  });
  it('keeps a "__proto__" key as data', () => {
    expect(stableJson(JSON.parse('{"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1}}');
  });
  it('throws on cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stableJson(cyclic)).toThrow(TypeError);
  });
});
