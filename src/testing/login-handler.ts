/**
 * POST api/v1/services/{service}/get-token-for-login (§8.2): check a password and mint a `tinysess` token.
 */
import { randomUUID } from 'node:crypto';
import { signJwt } from '../core/jwt';
import { utcDateStamp } from '../core/keys';
import { authorizeCaller, serviceArn } from './outer-auth';
import { jsonReply, ServerCrash, type Reply } from './reply';
import { isReply, parseArgs, type ArgSpec } from './request-args';
import type { RequestContext } from './request-context';

const ARGS: readonly ArgSpec[] = [
  { name: 'username', type: 'str', required: true },
  { name: 'password', type: 'str', required: true },
  { name: 'csrf-strategy', type: 'str', required: true },
  { name: 'region', type: 'str', required: false },
];

const STRATEGIES: ReadonlySet<unknown> = new Set(['header-token', 'cookie', 'none']);

/** Session lifetime: exp = iat + 8 h. */
export const SESSION_SECONDS = 8 * 60 * 60;

function invalidCredentials(): Reply {
  return jsonReply(401, { errors: { authentication: 'Invalid credentials' } });
}

/** POST api/v1/services/{service}/get-token-for-login */
export async function getTokenForLogin(ctx: RequestContext): Promise<Reply> {
  const service = ctx.params.service;
  const denied = await authorizeCaller(ctx, 'GetTokenForLogin', serviceArn(service));
  if (denied) return denied;
  const args = parseArgs(ctx, ARGS);
  if (isReply(args)) return args;
  const strategy = args.get('csrf-strategy');
  // Quirk 4: an unknown strategy is "Invalid credentials" (401), checked before the password.
  if (!STRATEGIES.has(strategy)) return invalidCredentials();
  const username = args.get('username');
  const password = args.get('password');
  if (typeof username !== 'string') return invalidCredentials();
  if (typeof password !== 'string') {
    // tinyauth hashes None for a user that has a password: an unhandled exception.
    if ((await ctx.store.checkPassword(username, '')) !== undefined)
      throw new ServerCrash('password is null');
    return invalidCredentials();
  }
  if ((await ctx.store.checkPassword(username, password)) !== true) return invalidCredentials();

  const iat = Math.floor(ctx.now.getTime() / 1000);
  const claims: Record<string, unknown> = { user: username, mfa: false, exp: iat + SESSION_SECONDS, iat };
  if (strategy === 'header-token') claims['csrf-token'] = randomUUID();
  const region = args.get('region');
  const key = ctx.store.userJwtKey(
    typeof region === 'string' && region !== '' ? region : 'global',
    service,
    utcDateStamp(iat),
    username,
  );
  if (key === undefined) throw new ServerCrash('user vanished');
  const body: Record<string, unknown> = { token: signJwt(claims, key) };
  if (claims['csrf-token'] !== undefined) body.csrf = claims['csrf-token'];
  return jsonReply(200, body);
}
