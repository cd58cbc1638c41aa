import { nextLocation, safeNextPath } from '../../../src/login/safe-next';

describe('safeNextPath', () => {
  it.each([
    '/',
    '/apples',
    '/apples?page=2&sort=name#top',
    '/a/b/c/',
    '/%2F%2Fevil.com',
    '/search?q=%20x',
    '/é',
  ])('keeps the same-site path %j', (path) => {
    expect(safeNextPath(path)).toBe(path);
  });

  it.each([
    ['protocol-relative', '//evil.com'],
    ['protocol-relative with path', '//evil.com/login'],
    ['backslash after slash', '/\\evil.com'],
    ['double backslash', '\\\\evil'],
    ['backslash inside', '/apples\\..\\x'],
    ['absolute https', 'https://x'],
    ['absolute http', 'http://127.0.0.1/'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['data scheme', 'data:text/html,hi'],
    ['relative', 'apples'],
    ['empty', ''],
    ['tab smuggling', '/\t/evil.com'],
    ['newline smuggling', '/\n/evil.com'],
    ['carriage return', '/apples\r\nSet-Cookie: x=1'],
    ['NUL', '/apples\u0000'],
    ['DEL', '/apples\u007f'],
    ['C1 control', '/apples\u0085'],
    ['line separator', '/apples\u2028'],
    ['space', '/ /evil.com'],
    ['leading space', ' /apples'],
    ['lone surrogate', '/apples\ud800'],
    ['too long', `/${'a'.repeat(5000)}`],
  ])('falls back to / for %s', (_label, value) => {
    expect(safeNextPath(value)).toBe('/');
  });

  it.each([undefined, null, 42, ['/apples'], { path: '/apples' }])(
    'falls back to / for the non-string %j',
    (value) => {
      expect(safeNextPath(value)).toBe('/');
    },
  );
});

describe('nextLocation', () => {
  it('keeps ASCII paths as they are', () => {
    expect(nextLocation('/apples?q=a%20b&x=1#top')).toBe('/apples?q=a%20b&x=1#top');
  });

  it('percent-encodes non-ASCII characters as UTF-8', () => {
    expect(nextLocation('/pommes/é?q=ü')).toBe('/pommes/%C3%A9?q=%C3%BC');
  });
});
