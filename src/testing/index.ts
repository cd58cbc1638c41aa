/**
 * `nestjs-tinyauth/testing`: a tinyauth-compatible HTTP server over an in-memory store, for end-to-end tests,
 * local development and benchmarks. `startTinyauthServer({ fixture })` takes a `Fixture` (users, groups, policies)
 * or the path of a JSON fixture file; `demoFixture` is the sample app's.
 */
export { startTinyauthServer, type TinyauthServer, type TinyauthServerOptions } from './server';
export type { Fixture } from './fixture';
export { demoFixture } from './demo-fixture';
