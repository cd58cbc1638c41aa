import { Test } from '@nestjs/testing';
import { TinyauthModule, TinyauthOptionsError, tinyauthOptionsFromEnv } from 'nestjs-tinyauth';
import { CachedAuthorizer } from '../../../src/authorizer/cached.authorizer';
import { LocalAuthorizer } from '../../../src/authorizer/local';
import { RemoteAuthorizer } from '../../../src/authorizer/remote.authorizer';
import { TINYAUTH_AUTHORIZER } from '../../../src/tinyauth.constants';
import { resolveTinyauthOptions } from '../../../src/options/resolve-options';

const base = {
  endpoint: 'http://127.0.0.1:5000/',
  accessKeyId: 'AK',
  secretAccessKey: 'top-secret',
  service: 'apples',
};

describe('decision mode options', () => {
  it('defaults to remote with bounded caches', () => {
    expect(resolveTinyauthOptions(base)).toMatchObject({
      mode: 'remote',
      cacheTtlMs: 5000,
      cacheMaxEntries: 10_000,
      maxStaleMs: 600_000,
      negativeCacheTtlMs: 30_000,
    });
  });

  it.each([
    [{ mode: 'fast' }, 'mode'],
    [{ cacheTtlMs: 0 }, 'cacheTtlMs'],
    [{ cacheTtlMs: 1.5 }, 'cacheTtlMs'],
    [{ cacheMaxEntries: 0 }, 'cacheMaxEntries'],
    [{ cacheMaxEntries: 1e9 }, 'cacheMaxEntries'],
    [{ maxStaleMs: -1 }, 'maxStaleMs'],
    [{ negativeCacheTtlMs: 'soon' }, 'negativeCacheTtlMs'],
  ])('rejects %j, naming the option and never the secret', (bad, name) => {
    let error: unknown;
    try {
      resolveTinyauthOptions({ ...base, ...bad });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TinyauthOptionsError);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('top-secret');
  });

  it('reads the TINYAUTH_* variables of the new options', () => {
    expect(
      tinyauthOptionsFromEnv({
        TINYAUTH_MODE: 'Local',
        TINYAUTH_CACHE_TTL_MS: '2500',
        TINYAUTH_CACHE_MAX_ENTRIES: '500',
        TINYAUTH_MAX_STALE_MS: '60000',
        TINYAUTH_NEGATIVE_CACHE_TTL_MS: '1000',
      }),
    ).toEqual({
      mode: 'local',
      cacheTtlMs: 2500,
      cacheMaxEntries: 500,
      maxStaleMs: 60_000,
      negativeCacheTtlMs: 1000,
    });
  });

  it.each([
    [undefined, RemoteAuthorizer],
    ['remote', RemoteAuthorizer],
    ['cached', CachedAuthorizer],
    ['local', LocalAuthorizer],
  ] as const)('mode %s provides the %p strategy', async (mode, type) => {
    const moduleRef = await Test.createTestingModule({
      imports: [TinyauthModule.forRoot({ ...base, ...(mode === undefined ? {} : { mode }) })],
    }).compile();
    expect(moduleRef.get(TINYAUTH_AUTHORIZER)).toBeInstanceOf(type);
    await moduleRef.close();
  });
});
