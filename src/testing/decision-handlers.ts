/**
 * The decision endpoints: batch `authorize-by-token` (§8.1) and the legacy `authorize` / `authorize-login`
 * (§8.6, §8.7). Decisions about the end user always come back with HTTP 200.
 */
import { identify, type HeaderPairs, type IdentifyResult } from '../core/identify';
import { pyLstrip, PY_WHITESPACE } from '../core/python-values';
import { pythonB64Decode } from '../core/base64';
import { buildContext, evaluateOrCrash, forwardedHeaders } from './inner-request';
import { authorizeCaller, serviceArn, TINYAUTH_ARN } from './outer-auth';
import { pyIterate } from './python-coerce';
import { jsonReply, ServerCrash, type Reply } from './reply';
import { isReply, parseArgs, type ArgSpec, type ArgValue, type ParsedArgs } from './request-args';
import type { RequestContext } from './request-context';

const BATCH_ARGS: readonly ArgSpec[] = [
  { name: 'region', type: 'str', required: false },
  { name: 'permit', type: 'dict', required: true },
  { name: 'headers', type: 'list', required: true },
  { name: 'context', type: 'dict', required: true },
];

const SINGLE_ARGS: readonly ArgSpec[] = [
  { name: 'region', type: 'str', required: false },
  { name: 'action', type: 'str', required: true },
  { name: 'resource', type: 'str', required: true },
  { name: 'headers', type: 'list', required: true },
  { name: 'context', type: 'dict', required: true },
];

/** `args['region'] or 'global'`: absent, null or empty means `global`. */
function regionOf(args: ParsedArgs): string {
  const r = args.get('region');
  return typeof r === 'string' && r !== '' ? r : 'global';
}

function entriesOf(v: ArgValue | undefined): [unknown, unknown][] | null {
  return v === undefined || v === null ? null : (v as [unknown, unknown][]);
}

function listOf(v: ArgValue | undefined): unknown[] | null {
  return v === undefined || v === null ? null : (v as unknown[]);
}

function crashIfServerError(r: IdentifyResult): void {
  if (!r.ok && 'serverError' in r) throw new ServerCrash(r.serverError);
}

/** POST api/v1/services/{service}/authorize-by-token */
export async function authorizeByToken(ctx: RequestContext): Promise<Reply> {
  const service = ctx.params.service;
  const denied = await authorizeCaller(ctx, 'BatchAuthorizeByToken', serviceArn(service));
  if (denied) return denied;
  const args = parseArgs(ctx, BATCH_ARGS);
  if (isReply(args)) return args;

  // tinyauth's audit log touches every permit key and value, and every header, before any check.
  const permit = entriesOf(args.get('permit'));
  if (permit === null) throw new ServerCrash('permit is null');
  const checks: [string, unknown[]][] = permit.map(([action, resources]) => {
    const list = pyIterate(resources);
    if (typeof action !== 'string' || list === undefined)
      throw new ServerCrash('permit entry is not (str, iterable)');
    return [action, list];
  });
  const headers: HeaderPairs = forwardedHeaders(listOf(args.get('headers')));
  const region = regionOf(args);

  const permitted = new Map<string, unknown[]>();
  const notPermitted = new Map<string, unknown[]>();
  let errorCode: string | undefined;
  let identity: string | undefined;
  // Every (action, resource) pair is identified on its own in tinyauth; the answer is the same for the whole
  // request, so it is computed once, lazily (an empty permit never identifies, hence never crashes).
  let who: IdentifyResult | undefined;
  for (const [action, resources] of checks) {
    for (const resource of resources) {
      who ??= await identify(headers, region, service, ctx.store.keySource, ctx.now);
      crashIfServerError(who);
      let ok = false;
      if (!who.ok) {
        errorCode = 'errorCode' in who ? who.errorCode : undefined;
      } else {
        const context = buildContext(entriesOf(args.get('context')), { Mfa: who.mfa });
        const policy = ctx.store.policyFor(who.identity);
        if (policy === undefined) throw new ServerCrash('identity vanished');
        ok = evaluateOrCrash(policy, `${service}:${action}`, resource, context) === 'Allow';
        if (ok) identity = who.identity;
        else errorCode = 'NotPermitted';
      }
      const set = ok ? permitted : notPermitted;
      const list = set.get(action) ?? [];
      list.push(resource);
      set.set(action, list);
    }
  }
  const body: Record<string, unknown> = {
    Authorized: false,
    Permitted: Object.fromEntries(permitted),
    NotPermitted: Object.fromEntries(notPermitted),
  };
  if (errorCode !== undefined) body.ErrorCode = errorCode;
  if (notPermitted.size === 0 && permitted.size > 0) {
    body.Authorized = true;
    body.Identity = identity;
  }
  return jsonReply(200, body);
}

function notPermitted(identity: string): Reply {
  return jsonReply(200, { Authorized: false, ErrorCode: 'NotPermitted', Status: 403, Identity: identity });
}

function unauthenticated(code: string): Reply {
  return jsonReply(200, { Authorized: false, ErrorCode: code, Status: 401 });
}

/** POST api/v1/authorize (legacy single check; the identify service is the action's prefix). */
export async function legacyAuthorize(ctx: RequestContext): Promise<Reply> {
  const denied = await authorizeCaller(ctx, 'Authorize', TINYAUTH_ARN);
  if (denied) return denied;
  const args = parseArgs(ctx, SINGLE_ARGS);
  if (isReply(args)) return args;
  const headers = forwardedHeaders(listOf(args.get('headers')));
  const action = args.get('action');
  if (typeof action !== 'string') throw new ServerCrash('action is null');
  const colon = action.indexOf(':');
  const service = colon >= 0 ? action.slice(0, colon) : '';
  const who = await identify(headers, regionOf(args), service, ctx.store.keySource, ctx.now);
  crashIfServerError(who);
  if (!who.ok) return unauthenticated('errorCode' in who ? who.errorCode : 'UnsignedRequest');
  const context = buildContext(entriesOf(args.get('context')), { Mfa: who.mfa });
  const policy = ctx.store.policyFor(who.identity);
  if (policy === undefined) throw new ServerCrash('identity vanished');
  if (evaluateOrCrash(policy, action, args.get('resource'), context) !== 'Allow')
    return notPermitted(who.identity);
  return jsonReply(200, { Authorized: true, Identity: who.identity });
}

/**
 * werkzeug's `parse_authorization_header` for a forwarded value, Basic scheme (any case) only. `crash` when the
 * value is not latin-1 text (werkzeug re-encodes it), `undefined` when it parses to None.
 */
function parseLoginHeader(value: string): { user: string; password: string } | 'crash' | undefined {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\xff]*$/.test(value)) return 'crash';
  const text = new TextDecoder('utf-8').decode(Buffer.from(value, 'latin1'));
  const trimmed = pyLstrip(text);
  const ws = PY_WHITESPACE.exec(trimmed);
  if (ws === null) return undefined;
  const scheme = trimmed.slice(0, ws.index).toLowerCase();
  const info = trimmed.slice(ws.index + ws[0].length);
  // Digest credentials are not supported by this server (tinyauth would look the user up and crash on None).
  if (scheme !== 'basic' || info === '') return undefined;
  const raw = pythonB64Decode(info);
  if (raw === undefined) return undefined;
  const colon = raw.indexOf(0x3a);
  if (colon < 0) return undefined;
  try {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    return { user: strict.decode(raw.subarray(0, colon)), password: strict.decode(raw.subarray(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** POST api/v1/authorize-login (legacy password check; no session, no Mfa in the context). */
export async function authorizeLogin(ctx: RequestContext): Promise<Reply> {
  const denied = await authorizeCaller(ctx, 'Authorize', TINYAUTH_ARN);
  if (denied) return denied;
  const args = parseArgs(ctx, SINGLE_ARGS);
  if (isReply(args)) return args;
  const headers = forwardedHeaders(listOf(args.get('headers')));
  const value = headers.find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  if (value === undefined || value === '') return unauthenticated('NoSuchKey');
  const creds = parseLoginHeader(value);
  if (creds === 'crash') throw new ServerCrash('Authorization header is not latin-1');
  if (creds === undefined) return unauthenticated('NoSuchKey');
  const valid = await ctx.store.checkPassword(creds.user, creds.password);
  if (valid === undefined) return unauthenticated('NoSuchKey');
  if (!valid) return unauthenticated('InvalidSecretKey');
  const context = buildContext(entriesOf(args.get('context')), {});
  const policy = ctx.store.policyFor(creds.user);
  if (policy === undefined) throw new ServerCrash('user vanished');
  if (evaluateOrCrash(policy, args.get('action'), args.get('resource'), context) !== 'Allow') {
    return notPermitted(creds.user);
  }
  return jsonReply(200, { Authorized: true, Identity: creds.user });
}
