/**
 * The URL map of the compatible server (the tinyauth endpoints a client needs).
 */
import { authorizeByToken, authorizeLogin, legacyAuthorize } from './decision-handlers';
import { accessKeySigningToken, userPolicies, userSigningToken } from './key-handlers';
import { getTokenForLogin } from './login-handler';
import type { Reply } from './reply';
import type { RequestContext } from './request-context';

/** A handler of one endpoint. */
export type Handler = (ctx: RequestContext) => Promise<Reply>;

interface Route {
  readonly pattern: RegExp;
  readonly params: readonly string[];
  /** Methods as Flask reports them in `Allow` (HEAD comes with GET, OPTIONS is automatic). */
  readonly methods: readonly string[];
  readonly handler: Handler;
}

const SEG = '([^/]+)';

function route(template: string, methods: string[], handler: Handler): Route {
  const params: string[] = [];
  const source = template.replace(/<(\w+)>/g, (_m, name: string) => {
    params.push(name);
    return SEG;
  });
  const all = methods.includes('GET') ? [...methods, 'HEAD', 'OPTIONS'] : [...methods, 'OPTIONS'];
  return { pattern: new RegExp(`^${source}$`), params, methods: all, handler };
}

const ROUTES: readonly Route[] = [
  route('/api/v1/services/<service>/authorize-by-token', ['POST'], authorizeByToken),
  route('/api/v1/services/<service>/get-token-for-login', ['POST'], getTokenForLogin),
  route('/api/v1/authorize', ['POST'], legacyAuthorize),
  route('/api/v1/authorize-login', ['POST'], authorizeLogin),
  route(
    '/api/v1/regions/<region>/services/<service>/user-signing-tokens/<user>/<protocol>/<date>',
    ['GET'],
    userSigningToken,
  ),
  route(
    '/api/v1/regions/<region>/services/<service>/access-key-signing-tokens/<keyId>/<protocol>/<date>',
    ['GET'],
    accessKeySigningToken,
  ),
  route('/api/v1/regions/<region>/services/<service>/user-policies/<user>', ['GET'], userPolicies),
];

/** A matched route. */
export interface RouteMatch {
  readonly handler: Handler;
  readonly methods: readonly string[];
  readonly params: Readonly<Record<string, string>>;
}

/** Finds the route of a decoded path, or undefined (404). */
export function matchRoute(path: string): RouteMatch | undefined {
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (m) {
      const params: Record<string, string> = Object.create(null) as Record<string, string>;
      r.params.forEach((name, i) => (params[name] = m[i + 1]));
      return { handler: r.handler, methods: r.methods, params };
    }
  }
  return undefined;
}
