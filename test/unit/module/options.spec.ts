import { Test } from '@nestjs/testing';
import {
  TinyauthModule,
  TinyauthOptionsError,
  TinyauthService,
  tinyauthOptionsFromEnv,
} from 'nestjs-tinyauth';
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

describe('option validation', () => {
  it('fills in the defaults and adds the trailing slash', () => {
    expect(resolveTinyauthOptions(valid)).toEqual({
      ...valid,
      endpoint: 'http://127.0.0.1:5000/',
      partition: 'tinyauth',
      region: 'default',
      endpointVerify: true,
      caBundle: undefined,
      bypass: false,
      timeoutMs: 5000,
      csrfStrategy: 'cookie',
      cookieSecure: true,
      mode: 'remote',
      cacheTtlMs: 5000,
      cacheMaxEntries: 10000,
      maxStaleMs: 600000,
      negativeCacheTtlMs: 30000,
      keyCacheMaxMs: 300000,
      allowedOrigins: [],
      loginWindowMs: 900000,
      loginMaxFailuresPerAddress: 10,
      loginMaxFailuresPerUser: 30,
      explain: false,
      contextKeys: [],
      onDecision: undefined,
      auditLog: false,
    });
  });

  it.each([
    ['endpoint', { ...valid, endpoint: undefined }],
    ['endpoint', { ...valid, endpoint: 'ftp://x' }],
    ['accessKeyId', { ...valid, accessKeyId: '' }],
    ['secretAccessKey', { ...valid, secretAccessKey: 42 }],
    ['service', { ...valid, service: undefined }],
    ['service', { ...valid, service: 'my service' }],
    ['partition', { ...valid, partition: '' }],
    ['timeoutMs', { ...valid, timeoutMs: -1 }],
    ['timeoutMs', { ...valid, timeoutMs: '100' }],
    ['bypass', { ...valid, bypass: 'yes' }],
    ['endpointVerify', { ...valid, endpointVerify: 3 }],
    ['csrfStrategy', { ...valid, csrfStrategy: 'double-submit' }],
    ['mode', { ...valid, mode: 'turbo' }],
    ['cacheTtlMs', { ...valid, cacheTtlMs: 0.5 }],
    ['cacheMaxEntries', { ...valid, cacheMaxEntries: 0 }],
    ['keyCacheMaxMs', { ...valid, keyCacheMaxMs: 4 * 24 * 3_600_000 }],
    ['explain', { ...valid, explain: 'yes' }],
    ['contextKeys', { ...valid, contextKeys: 'Team' }],
    ['contextKeys', { ...valid, contextKeys: ['Team', ''] }],
    ['endpoitn', { ...valid, endpoitn: 'typo' }],
  ])('names the bad option %s', (field, raw) => {
    expect(problemsOf(raw)).toMatch(new RegExp(`- ${field}: `));
  });

  it('never puts a value in the message', () => {
    expect(problemsOf({ ...valid, secretAccessKey: ['top-secret'] })).not.toContain('top-secret');
  });

  it('reports an unreadable CA bundle by field', () => {
    expect(problemsOf({ ...valid, endpointVerify: '/no/such/ca.pem' })).toContain(
      'endpointVerify: cannot read',
    );
  });

  it.each([
    ['sharedCache', { ...valid, mode: 'cached', sharedCache: 'redis://x' }],
    ['sharedCache', { ...valid, mode: 'remote', sharedCache: { store: new Map() } }],
    ['sharedCache.store', { ...valid, mode: 'cached', sharedCache: { store: { get: () => 1 } } }],
    [
      'sharedCache.timeoutMs',
      { ...valid, mode: 'cached', sharedCache: { store: new Map(), timeoutMs: 5000 } },
    ],
    [
      'sharedCache.namespace',
      { ...valid, mode: 'cached', sharedCache: { store: new Map(), namespace: 'a b' } },
    ],
    [
      'sharedCache.invalidationCheckMs',
      { ...valid, mode: 'cached', sharedCache: { store: new Map(), invalidationCheckMs: 1 } },
    ],
    ['sharedCache.stor', { ...valid, mode: 'cached', sharedCache: { store: new Map(), stor: 1 } }],
  ])('names the bad shared-cache option %s', (field, raw) => {
    expect(problemsOf(raw)).toMatch(new RegExp(`- ${field.replace('.', '\\.')}: `));
  });

  it('fills in the shared cache defaults: a store timeout well under timeoutMs', () => {
    const store = new Map();
    expect(resolveTinyauthOptions({ ...valid, mode: 'cached', sharedCache: { store } }).sharedCache).toEqual({
      store,
      timeoutMs: 50,
      namespace: 'tinyauth',
      invalidationCheckMs: 1000,
    });
    expect(
      resolveTinyauthOptions({ ...valid, timeoutMs: 100, mode: 'cached', sharedCache: { store } }).sharedCache
        ?.timeoutMs,
    ).toBe(25);
  });

  it('takes a shared store in local mode too (for fetched keys and policies)', () => {
    const store = new Map();
    expect(
      resolveTinyauthOptions({ ...valid, mode: 'local', sharedCache: { store } }).sharedCache?.store,
    ).toBe(store);
  });

  it('rejects something that is not an object', () => {
    expect(problemsOf(null)).toContain('options: expected an object');
  });

  it('lets bypass mode leave out the endpoint and key', () => {
    expect(resolveTinyauthOptions({ service: 'apples', bypass: true }).bypass).toBe(true);
  });
});

describe('module start-up', () => {
  const originalEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = originalEnv;
  });

  it('stops start-up with an error naming the option', async () => {
    const compile = Test.createTestingModule({
      imports: [TinyauthModule.forRoot({ ...valid, timeoutMs: 0 })],
    }).compile();
    await expect(compile).rejects.toThrow(/timeoutMs/);
  });

  it('validates options from forRootAsync factories too', async () => {
    const compile = Test.createTestingModule({
      imports: [TinyauthModule.forRootAsync({ useFactory: () => ({ ...valid, endpoint: 'not a url' }) })],
    }).compile();
    await expect(compile).rejects.toThrow(/endpoint: must be an http/);
  });

  it('starts with valid options and provides the service', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TinyauthModule.forRootAsync({ useFactory: async () => valid, isGlobal: true })],
    }).compile();
    expect(moduleRef.get(TinyauthService).arn('apples', 'fred')).toBe(
      'arn:tinyauth:apples:default::apples/fred',
    );
    await moduleRef.close();
  });

  it('starts in bypass mode with only a service name', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TinyauthModule.forRoot({ service: 'apples', bypass: true })],
    }).compile();
    const decision = await moduleRef
      .get(TinyauthService)
      .authorize({}, [{ action: 'GetApple', resource: 'r' }]);
    expect(decision.authorized).toBe(true);
    await moduleRef.close();
  });

  it('refuses bypass mode when NODE_ENV=production', async () => {
    process.env.NODE_ENV = 'production';
    const compile = Test.createTestingModule({
      imports: [TinyauthModule.forRoot({ ...valid, bypass: true })],
    }).compile();
    await expect(compile).rejects.toThrow(/bypass: refused because NODE_ENV=production/);
  });
});

describe('tinyauthOptionsFromEnv', () => {
  it("maps flask_tinyauth's settings", () => {
    expect(
      tinyauthOptionsFromEnv({
        TINYAUTH_ENDPOINT: 'https://tinyauth.example/',
        TINYAUTH_ACCESS_KEY_ID: 'gatekeeper',
        TINYAUTH_SECRET_ACCESS_KEY: 'keymaster',
        TINYAUTH_SERVICE: 'test',
        TINYAUTH_PARTITION: 'aws-cn',
        TINYAUTH_REGION: 'eu-west-1',
        TINYAUTH_ENDPOINT_VERIFY: 'false',
        TINYAUTH_BYPASS: '1',
      }),
    ).toEqual({
      endpoint: 'https://tinyauth.example/',
      accessKeyId: 'gatekeeper',
      secretAccessKey: 'keymaster',
      service: 'test',
      partition: 'aws-cn',
      region: 'eu-west-1',
      endpointVerify: false,
      bypass: true,
    });
  });

  it('reads TINYAUTH_EXPLAIN as a flag and TINYAUTH_CONTEXT_KEYS as a comma-separated list', () => {
    expect(tinyauthOptionsFromEnv({ TINYAUTH_EXPLAIN: 'yes', TINYAUTH_CONTEXT_KEYS: 'Team, Env' })).toEqual({
      explain: true,
      contextKeys: ['Team', 'Env'],
    });
    expect(problemsOf({ ...valid, ...tinyauthOptionsFromEnv({ TINYAUTH_EXPLAIN: 'maybe' }) })).toMatch(
      /- explain: /,
    );
  });

  it('accepts TINYAUTH_VERIFY (what flask_tinyauth reads) and a CA bundle path', () => {
    expect(tinyauthOptionsFromEnv({ TINYAUTH_VERIFY: '/etc/ssl/ca.pem' }).endpointVerify).toBe(
      '/etc/ssl/ca.pem',
    );
    expect(tinyauthOptionsFromEnv({ TINYAUTH_VERIFY: 'True' }).endpointVerify).toBe(true);
    expect(
      tinyauthOptionsFromEnv({ TINYAUTH_ENDPOINT_VERIFY: '0', TINYAUTH_VERIFY: '1' }).endpointVerify,
    ).toBe(false);
  });

  it('leaves unset and empty variables out so defaults apply', () => {
    expect(
      tinyauthOptionsFromEnv({ TINYAUTH_SERVICE: 'x', TINYAUTH_BYPASS: '', TINYAUTH_VERIFY: '' }),
    ).toEqual({
      service: 'x',
    });
  });

  it('passes nonsense through so validation names the option', () => {
    const raw = tinyauthOptionsFromEnv({ ...{ TINYAUTH_ENDPOINT: 'http://x/' }, TINYAUTH_BYPASS: 'maybe' });
    expect(problemsOf({ ...valid, ...raw })).toContain('- bypass: ');
    expect(problemsOf({ ...valid, ...tinyauthOptionsFromEnv({ TINYAUTH_TIMEOUT_MS: 'soon' }) })).toContain(
      '- timeoutMs: ',
    );
  });
});

describe('httpClient', () => {
  it('accepts http-service and undici, and reads TINYAUTH_HTTP_CLIENT', () => {
    expect(resolveTinyauthOptions({ ...valid, httpClient: 'undici' }).httpClient).toBe('undici');
    expect(resolveTinyauthOptions({ ...valid, httpClient: 'http-service' }).httpClient).toBe('http-service');
    expect(tinyauthOptionsFromEnv({ TINYAUTH_HTTP_CLIENT: ' Undici ' }).httpClient).toBe('undici');
    expect(tinyauthOptionsFromEnv({}).httpClient).toBeUndefined();
  });

  it('stops start-up naming the field for anything else', () => {
    expect(problemsOf({ ...valid, httpClient: 'axios' })).toMatch(
      /- httpClient: must be one of the following values: http-service, undici/,
    );
    expect(problemsOf({ ...valid, ...tinyauthOptionsFromEnv({ TINYAUTH_HTTP_CLIENT: 'fetch' }) })).toContain(
      '- httpClient: ',
    );
  });
});
