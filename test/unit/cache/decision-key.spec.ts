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

  it('refuses text holding a lone surrogate, which UTF-8 would turn into U+FFFD like other text', () => {
    const resource = (r: string) => ({ ...base, checks: [{ action: 'GetApple', resource: r }] });
    expect(() => decisionKey(resource('doc/\uD800'))).toThrow('lone UTF-16 surrogate');
    expect(() => decisionKey(resource('doc/\uDC00'))).toThrow('lone UTF-16 surrogate');
    expect(() => decisionKey({ ...base, sourceIp: '\uDFFF' })).toThrow('lone UTF-16 surrogate');
    // Whole pairs and U+FFFD itself are ordinary text.
    expect(decisionKey(resource('doc/\uD83C\uDF4E'))).not.toBe(decisionKey(resource('doc/\uFFFD')));
  });

  it('does not confuse values moved between fields', () => {
    const a = decisionKey({ headers: [], checks: [{ action: 'a,b', resource: 'c' }], sourceIp: '' });
    const b = decisionKey({ headers: [], checks: [{ action: 'a', resource: 'b,c' }], sourceIp: '' });
    expect(a).not.toBe(b);
  });
});

describe('credentialParts', () => {
  it('keeps the session cookie as tinyauth reads it, and no other cookie', () => {
    expect(credentialParts([['Cookie', 'a=1; TINYSESS=x;tinysess=y; b=2']])).toEqual(['s', 'y']);
    expect(credentialParts([['Cookie', 'a=1; b=2']])).toEqual([]);
    // Quoted values are unquoted; quoted names are names of their own (conformance http-185, http-206).
    expect(credentialParts([['Cookie', 'tinysess="h.p.s"']])).toEqual(['s', 'h.p.s']);
    expect(credentialParts([['Cookie', '"tinys\\ess"=h.p.s']])).toEqual([]);
  });

  it('tells "no session" from "an empty session" (tinyauth answers 500 for the second)', () => {
    expect(credentialParts([['Cookie', 'tinysess']])).toEqual(['s', '']);
    expect(credentialParts([['Cookie', 'theme']])).toEqual([]);
  });

  it('never gives a session-carrying request the key of an anonymous one', () => {
    const checks = [{ action: 'GetApple', resource: 'arn:tinyauth:apples:default::apples/x' }];
    const anonymous = decisionKey({ headers: [], checks, sourceIp: '10.0.0.1' });
    for (const cookie of ['tinysess', 'tinysess=', 'tinysess="h.p.;s"', ' tinysess = h.p.s ;']) {
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
