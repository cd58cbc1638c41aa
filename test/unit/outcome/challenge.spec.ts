import {
  authenticationChallenge,
  basicChallenge,
  browserChallenge,
  isBrowserRequest,
} from '../../../src/outcome/challenge';

describe('WWW-Authenticate challenges', () => {
  it('quotes the realm as an RFC 9110 quoted-string', () => {
    expect(basicChallenge('apples')).toBe('Basic realm="apples", charset="UTF-8"');
    expect(browserChallenge('apples')).toBe('Tinyauth realm="apples"');
    expect(browserChallenge('a"b\\c')).toBe('Tinyauth realm="a\\"b\\\\c"');
  });

  it.each<[string, Array<[string, string]>, boolean]>([
    ['no headers', [], false],
    [
      'curl',
      [
        ['User-Agent', 'curl/8.5.0'],
        ['Accept', '*/*'],
      ],
      false,
    ],
    [
      'wget',
      [
        ['User-Agent', 'Wget/1.21.4'],
        ['Accept', '*/*'],
      ],
      false,
    ],
    ['a JSON client', [['Accept', 'application/json']], false],
    ['Sec-Fetch-Dest', [['sec-fetch-dest', 'document']], true],
    ['Sec-Fetch-Mode in any case', [['SEC-FETCH-MODE', 'cors']], true],
    ['Origin', [['Origin', 'null']], true],
    ['X-Requested-With', [['x-requested-with', 'XMLHttpRequest']], true],
    ['Accept with HTML', [['Accept', 'Text/HTML;q=0.9']], true],
    ['a browser User-Agent', [['User-Agent', 'Mozilla/5.0 (Macintosh) Safari/605.1.15']], true],
    ['a User-Agent merely mentioning Mozilla', [['User-Agent', 'bot (like Mozilla/5.0)']], false],
  ])('%s -> browser: %s', (_name, headers, browser) => {
    expect(isBrowserRequest(headers)).toBe(browser);
    expect(authenticationChallenge('svc', headers)).toBe(
      browser ? browserChallenge('svc') : basicChallenge('svc'),
    );
  });
});
