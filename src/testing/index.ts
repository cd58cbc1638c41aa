/**
 * `nestjs-tinyauth/testing`: a tinyauth-compatible HTTP server over an in-memory store, for end-to-end tests,
 * local development and benchmarks.
 */
export { startTinyauthServer, type TinyauthServer, type TinyauthServerOptions } from './server';
export { TinyauthStore, type MergedPolicy, type UserSummary } from './store';
export {
  loadFixtureFile,
  validateFixture,
  type Fixture,
  type FixtureGroup,
  type FixturePolicy,
  type FixtureUser,
} from './fixture';
export { demoFixture } from './demo-fixture';
