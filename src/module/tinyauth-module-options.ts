import type { TinyauthOptionValues } from '../options/tinyauth-options.interface';
import type { TinyauthAuthorizerOption } from './authorizer-option';

/**
 * Options of `TinyauthModule.forRoot` / `forRootAsync`: the settings (the seed's `TINYAUTH_*` names and more; see
 * the README's Options table) and, optionally, the `authorizer` strategy. `endpoint`, `accessKeyId` and
 * `secretAccessKey` are required unless `bypass` is true. Bad values stop start-up with a `TinyauthOptionsError`
 * naming each field.
 */
export type TinyauthModuleOptions = TinyauthOptionValues & {
  /**
   * The decision strategy, replacing the one `mode` picks: a class implementing `Authorizer` (created by Nest's
   * dependency injection in the module's scope) or a factory `({ options, client, strategies }) => Authorizer`.
   * Whatever it is, its decisions are still batched per tick, explained (`explain`) and observed (`onDecision`,
   * spans, metrics), and fail closed: a throw or a malformed answer is a 503 denial. Cannot be combined with
   * `bypass` or `mode`. See the README's "Custom strategies".
   */
  authorizer?: TinyauthAuthorizerOption;
};
