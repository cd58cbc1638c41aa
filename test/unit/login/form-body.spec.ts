import { ensureFastifyFormParser, parseFormBody, type FastifyParserHost } from '../../../src/login/form-body';

describe('parseFormBody', () => {
  it('decodes fields, keeping the first of repeated names', () => {
    expect(
      parseFormBody('username=read%20er&password=p%26ss+word&next=%2Fapples%3Fa%3D1&username=other'),
    ).toEqual({
      username: 'read er',
      password: 'p&ss word',
      next: '/apples?a=1',
    });
  });

  it('keeps __proto__ as a plain field instead of changing the prototype', () => {
    const parsed = parseFormBody('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'constructor']);
  });

  it('gives an empty object for an empty body', () => {
    expect(parseFormBody('')).toEqual({});
  });
});

describe('ensureFastifyFormParser', () => {
  function fakeFastify(hasParser: boolean): FastifyParserHost & { added: string[] } {
    const added: string[] = [];
    return {
      added,
      hasContentTypeParser: () => hasParser,
      addContentTypeParser: (type, _options, parser) => {
        added.push(type);
        parser({}, 'a=1', (err, body) => {
          expect(err).toBeNull();
          expect(body).toEqual({ a: '1' });
        });
      },
    };
  }

  it('adds a parser when the instance has none', () => {
    const instance = fakeFastify(false);
    expect(ensureFastifyFormParser(instance)).toBe(true);
    expect(instance.added).toEqual(['application/x-www-form-urlencoded']);
  });

  it('leaves an existing parser alone', () => {
    const instance = fakeFastify(true);
    expect(ensureFastifyFormParser(instance)).toBe(false);
    expect(instance.added).toEqual([]);
  });

  it('ignores things that are not Fastify instances', () => {
    expect(ensureFastifyFormParser({})).toBe(false);
    expect(ensureFastifyFormParser(undefined)).toBe(false);
  });
});
