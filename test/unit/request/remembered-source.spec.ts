import { rememberedSource, rememberSource, type RequestSource } from '../../../src/request/context-facts';
import { httpSelectorInput } from '../../../src/request/selector-input';

function sourceFor(holder: object, url: string): RequestSource {
  const facts = { method: 'GET', url, headers: [], sourceIp: '127.0.0.1', params: {} };
  return {
    type: 'http',
    facts,
    input: httpSelectorInput({ url }, {}),
    holder,
  };
}

describe('rememberSource / rememberedSource', () => {
  it('finds the latest source of a holder, and leaves what the holder shows unchanged', () => {
    const holder = { url: '/a', nested: { n: 1 } };
    rememberSource(sourceFor(holder, '/first'));
    rememberSource(sourceFor(holder, '/second'));
    expect(rememberedSource(holder)?.facts.url).toBe('/second');
    expect(Object.keys(holder)).toEqual(['url', 'nested']);
    expect(JSON.stringify(holder)).toBe('{"url":"/a","nested":{"n":1}}');
    // A copy of the holder is a different holder: nothing was remembered for it.
    expect(rememberedSource({ ...holder })).toBeUndefined();
  });

  it('remembers holders that cannot take a property (frozen, sealed, non-extensible)', () => {
    for (const seal of [Object.freeze, Object.seal, Object.preventExtensions]) {
      const holder = seal({ kind: 'locked' });
      rememberSource(sourceFor(holder, '/locked'));
      expect(rememberedSource(holder)?.facts.url).toBe('/locked');
    }
  });

  it('keeps the latest source of a holder frozen between two calls', () => {
    const holder = { kind: 'frozen later' };
    rememberSource(sourceFor(holder, '/before'));
    Object.freeze(holder);
    rememberSource(sourceFor(holder, '/after'));
    expect(rememberedSource(holder)?.facts.url).toBe('/after');
  });

  it('knows nothing of holders it never saw, nor of non-objects', () => {
    expect(rememberedSource({})).toBeUndefined();
    expect(rememberedSource(undefined)).toBeUndefined();
    expect(rememberedSource('text')).toBeUndefined();
  });
});
