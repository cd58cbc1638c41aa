/** The HTTP platforms measured. */
export type AdapterName = 'fastify' | 'express';
/** What each measured app does per request. */
export type Variant =
  'bare' | 'raw-undici' | 'remote' | 'remote-undici' | 'cached' | 'local' | 'cached-shared' | 'local-shared';

export const ADAPTERS: AdapterName[] = ['fastify', 'express'];
/** `remote` sends through the HttpService (the default `httpClient`), `remote-undici` with `httpClient: 'undici'`. */
export const VARIANTS: Variant[] = ['bare', 'raw-undici', 'remote', 'remote-undici', 'cached', 'local'];

/** The demo fixture's service key (allowed every tinyauth endpoint) and the end user each request carries. */
export const BENCH_SERVICE_KEY = { id: 'AKSAMPLESERVICE', secret: 'sample-service-secret' };
export const BENCH_USER_KEY = { id: 'AKREADER', secret: 'reader-secret' };
