/**
 * The endpoints that let a remote component decide locally: signing keys (§8.3, §8.4) and merged user policies
 * (§8.5), with their cache headers.
 */
import { utcDateStamp } from '../core/keys';
import { authorizeCaller, serviceArn } from './outer-auth';
import { cacheHeaders, jsonReply, ServerCrash, type Reply } from './reply';
import type { RequestContext } from './request-context';

/** Keys may be cached for 3 days, policies for 60 s. */
export const KEY_CACHE_SECONDS = 259_200;
export const POLICY_CACHE_SECONDS = 60;

const DATE_RE = /^([0-9]{4})(1[0-2]|0[1-9]|[1-9])(3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])/;

/**
 * `datetime.strptime(date, '%Y%m%d')` re-formatted as `YYYYMMDD`; an unparsable or impossible date is an
 * unhandled ValueError on the real server (quirk 3).
 */
function parseDate(text: string): string {
  const m = DATE_RE.exec(text);
  if (m === null || m[0].length !== text.length) throw new ServerCrash('bad date');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(2000, mo - 1, d));
  dt.setUTCFullYear(y);
  if (y < 1 || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) throw new ServerCrash('bad date');
  return utcDateStamp(dt);
}

function keyReply(key: Buffer, identity: string, ctx: RequestContext): Reply {
  return jsonReply(200, { key: key.toString('base64'), identity }, cacheHeaders(KEY_CACHE_SECONDS, ctx.now));
}

const NO_SUCH_KEY = (): Reply => jsonReply(404, { message: 'No such key' });

/** GET api/v1/regions/{region}/services/{service}/user-signing-tokens/{user}/{protocol}/{date} */
export async function userSigningToken(ctx: RequestContext): Promise<Reply> {
  const { region, service, user, protocol, date } = ctx.params;
  const denied = await authorizeCaller(ctx, 'GetServiceUserSigningToken', serviceArn(service));
  if (denied) return denied;
  const stamp = parseDate(date);
  if (!ctx.store.hasUser(user)) return NO_SUCH_KEY();
  if (protocol !== 'jwt') throw new ServerCrash('unsupported protocol');
  const key = ctx.store.userJwtKey(region, service, stamp, user);
  if (key === undefined) return NO_SUCH_KEY();
  return keyReply(key, user, ctx);
}

/** GET api/v1/regions/{region}/services/{service}/access-key-signing-tokens/{key_id}/{protocol}/{date} */
export async function accessKeySigningToken(ctx: RequestContext): Promise<Reply> {
  const { region, service, keyId, protocol, date } = ctx.params;
  const denied = await authorizeCaller(ctx, 'GetServiceAccessKeySigningToken', serviceArn(service));
  if (denied) return denied;
  const stamp = parseDate(date);
  const probe = ctx.store.accessKeyFor('basic-auth', region, service, stamp, keyId);
  if (probe === undefined) return NO_SUCH_KEY();
  if (protocol !== 'basic-auth' && protocol !== 'jwt') throw new ServerCrash('unsupported protocol');
  const found = protocol === 'jwt' ? ctx.store.accessKeyFor('jwt', region, service, stamp, keyId) : probe;
  if (found === undefined) return NO_SUCH_KEY();
  return keyReply(found.key, found.identity, ctx);
}

/**
 * GET api/v1/regions/{region}/services/{service}/user-policies/{user}. Quirk 2: an unknown user is a 500, the
 * 404 branch of the real server is unreachable.
 */
export async function userPolicies(ctx: RequestContext): Promise<Reply> {
  const { service, user } = ctx.params;
  const denied = await authorizeCaller(ctx, 'GetServiceUserPolicies', serviceArn(service));
  if (denied) return denied;
  const merged = ctx.store.mergedPolicy(user);
  if (merged === undefined) throw new ServerCrash('no such user');
  if ('error' in merged) throw new ServerCrash(merged.error);
  return jsonReply(200, merged, cacheHeaders(POLICY_CACHE_SECONDS, ctx.now));
}
