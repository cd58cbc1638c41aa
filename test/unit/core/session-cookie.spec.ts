import { readSessionCookie } from '../../../src/core/session-cookie';

const read = (...headers: string[]) => readSessionCookie(headers);

describe('readSessionCookie (tinyauth/Werkzeug reading of Cookie headers)', () => {
  it.each<[string, string[], string | undefined]>([
    ['a plain pair', ['tinysess=a.b.c'], 'a.b.c'],
    ['no Cookie header', [], undefined],
    ['no tinysess', ['theme=dark; lang=en'], undefined],
    ['whitespace around names and =', [' tinysess \t=\t a.b.c \t;x=1'], 'a.b.c'],
    ['a bare name (empty value)', ['tinysess'], ''],
    ['an empty value', ['tinysess='], ''],
    ['a quoted value', ['tinysess="a.b.c"'], 'a.b.c'],
    ['a quoted empty value', ['tinysess=""'], ''],
    ['a backslash escape in a quoted value', ['tinysess="\\a.b\\"c"'], 'a.b"c'],
    ['an octal escape in a quoted value', ['tinysess="\\141.b"'], 'a.b'],
    ['an unterminated quote (kept verbatim)', ['tinysess="a.b'], '"a.b'],
    ['a quote inside an unquoted value', ['tinysess=a"b; x=1'], 'a"b'],
    ['a quoted value holding ; and =', ['x="a;tinysess=evil"; tinysess=good'], 'good'],
    ['the session only inside a quoted value', ['x="a; tinysess=evil"'], undefined],
    ['the first of two in one header', ['tinysess=first; tinysess=second'], 'first'],
    ['a bare name first in one header', ['tinysess; tinysess=second'], ''],
    ['the later of two headers', ['tinysess=first', 'tinysess=second'], 'second'],
    ['a later header without a session', ['tinysess=first', 'theme=dark'], 'first'],
    ['a comma is not a separator', ['theme=dark, tinysess=a.b.c'], undefined],
    ['a comma inside the value', ['tinysess=a.b.c, theme=dark'], 'a.b.c, theme=dark'],
    ['names are case-sensitive', ['TinySess=a.b.c'], undefined],
    ['quoted names are not unquoted', ['"tinysess"=a.b.c; "tinys\\ess"=d'], undefined],
    ['a leading = hides the pair after it', ['=tinysess=a.b.c'], undefined],
    ['a name with a space inside is another name', ['tiny sess=a.b.c'], undefined],
    ['empty segments', [';; ;tinysess=a.b.c;;'], 'a.b.c'],
    ['a newline ends the parse', ['x=1\n2; tinysess=a.b.c'], undefined],
  ])('%s', (_what, headers, token) => {
    expect(read(...headers).token).toBe(token);
  });

  it('reads non-ASCII bytes as UTF-8 and says the value is not exact', () => {
    const header = Buffer.from('tinysess=a.b.cé', 'utf8').toString('latin1');
    expect(read(header)).toEqual({ token: 'a.b.cé', exact: false });
    // Neighbours outside ASCII do not make the session inexact.
    expect(read(Buffer.from('n=Zoë; tinysess=a.b.c', 'utf8').toString('latin1'))).toEqual({
      token: 'a.b.c',
      exact: true,
    });
  });

  it('turns characters above U+00FF into "?" as Latin-1 encoding with replacement does', () => {
    expect(read('tinysess=a€b').token).toBe('a?b');
  });
});
