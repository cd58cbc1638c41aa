import { Test } from '@nestjs/testing';
import { TinyauthModule, TinyauthOptionsError, tinyauthOptionsFromEnv } from 'nestjs-tinyauth';
import { resolveTinyauthOptions } from '../../../src/options/resolve-options';

const valid = {
  endpoint: 'http://127.0.0.1:5000',
  accessKeyId: 'AK',
  secretAccessKey: 'top-secret',
  service: 'apples',
};

function problemsOf(raw: unknown): string {
  try {
    resolveTinyauthOptions(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(TinyauthOptionsError);
    return (err as Error).message;
  }
  throw new Error('expected the options to be rejected');
}

describe('login flow options', () => {
  it('defaults to no extra origin and 10 per address / 30 per user name in 15-minute windows', () => {
    expect(resolveTinyauthOptions(valid)).toMatchObject({
      allowedOrigins: [],
      loginWindowMs: 900_000,
      loginMaxFailuresPerAddress: 10,
      loginMaxFailuresPerUser: 30,
    });
  });

  it('keeps allowed origins in the form browsers send them', () => {
    const options = resolveTinyauthOptions({
      ...valid,
      allowedOrigins: ['HTTPS://WWW.Example.com:443', 'http://localhost:3000'],
    });
    expect(options.allowedOrigins).toEqual(['https://www.example.com', 'http://localhost:3000']);
  });

  it.each<[string, unknown]>([
    ['allowedOrigins', 'https://www.example.com'],
    ['allowedOrigins', ['https://www.example.com/login']],
    ['allowedOrigins', ['null']],
    ['allowedOrigins', ['*']],
    ['allowedOrigins', ['www.example.com']],
    ['allowedOrigins', ['ftp://files.example.com']],
    ['allowedOrigins', ['https://user@www.example.com']],
    ['allowedOrigins', ['https://www.example.com?x=1']],
    ['allowedOrigins', [42]],
    ['loginWindowMs', 999],
    ['loginWindowMs', '60000'],
    ['loginMaxFailuresPerAddress', 0],
    ['loginMaxFailuresPerAddress', 2.5],
    ['loginMaxFailuresPerUser', 1],
  ])('names the bad option %s (%j)', (field, value) => {
    expect(problemsOf({ ...valid, [field]: value })).toMatch(new RegExp(`- ${field}: `));
  });

  it.each<Record<string, number>>([
    { loginMaxFailuresPerAddress: 30 },
    { loginMaxFailuresPerUser: 10 },
    { loginMaxFailuresPerAddress: 20, loginMaxFailuresPerUser: 20 },
    { loginMaxFailuresPerAddress: 50, loginMaxFailuresPerUser: 40 },
  ])(
    'refuses a per-user limit not above the per-address one (%j): one address could lock a name',
    (limits) => {
      expect(problemsOf({ ...valid, ...limits })).toMatch(
        /- loginMaxFailuresPerUser: must be greater than loginMaxFailuresPerAddress/,
      );
    },
  );

  it('stops start-up naming allowedOrigins', async () => {
    const compile = Test.createTestingModule({
      imports: [TinyauthModule.forRoot({ ...valid, allowedOrigins: ['https://evil.example/path'] })],
    }).compile();
    await expect(compile).rejects.toThrow(/allowedOrigins: each value must be an origin/);
  });

  it('reads the login settings from the environment', () => {
    const raw = tinyauthOptionsFromEnv({
      TINYAUTH_ALLOWED_ORIGINS: 'https://www.example.com, https://admin.example.com',
      TINYAUTH_LOGIN_WINDOW_MS: '60000',
      TINYAUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: '3',
      TINYAUTH_LOGIN_MAX_FAILURES_PER_USER: '7',
    });
    expect(raw).toEqual({
      allowedOrigins: ['https://www.example.com', 'https://admin.example.com'],
      loginWindowMs: 60000,
      loginMaxFailuresPerAddress: 3,
      loginMaxFailuresPerUser: 7,
    });
    expect(resolveTinyauthOptions({ ...valid, ...raw }).loginMaxFailuresPerUser).toBe(7);
    expect(
      problemsOf({ ...valid, ...tinyauthOptionsFromEnv({ TINYAUTH_LOGIN_WINDOW_MS: 'soon' }) }),
    ).toContain('- loginWindowMs: ');
  });
});
