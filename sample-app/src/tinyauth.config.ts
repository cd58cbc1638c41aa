import { registerAs } from '@nestjs/config';
import { tinyauthOptionsFromEnv, type TinyauthModuleOptions } from 'nestjs-tinyauth';

/** The sample's tinyauth service name, unless `TINYAUTH_SERVICE` says otherwise. */
export const SAMPLE_SERVICE = 'apples';

/**
 * The production way: tinyauth's settings come from the environment (or a `.env` file, which `ConfigModule`
 * loads first), under the `TINYAUTH_*` names flask_tinyauth uses. Validation happens when `TinyauthModule`
 * starts, so a missing or bad variable stops the app with a message naming it.
 */
export const tinyauthConfig = registerAs('tinyauth', (): TinyauthModuleOptions => ({
  ...tinyauthOptionsFromEnv(process.env),
  service: process.env.TINYAUTH_SERVICE || SAMPLE_SERVICE,
}));
