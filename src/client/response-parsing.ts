import { TinyauthClientError } from './client-errors';
import type { AuthorizeByTokenResponse, LoginToken, TinyauthHttpResponse } from './wire-types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isResourceMap(value: unknown): value is Record<string, string[]> {
  return (
    isRecord(value) &&
    Object.values(value).every((v) => Array.isArray(v) && v.every((r) => typeof r === 'string'))
  );
}

/** Parses a JSON body; anything else is a malformed answer. */
export function parseJson(response: TinyauthHttpResponse): unknown {
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    throw new TinyauthClientError(
      'malformed-response',
      `tinyauth answered HTTP ${response.status} with a body that is not JSON`,
    );
  }
}

/**
 * Turns the non-200 answers every endpoint shares into typed failures: tinyauth refusing this service's own key
 * (outer 401/403 `{"errors": {"authorization": code}}`), 5xx, and any other status.
 */
export function failForStatus(response: TinyauthHttpResponse, endpoint: string): never {
  const { status } = response;
  if (status === 401 || status === 403) {
    let code: string | undefined;
    try {
      const body = JSON.parse(response.body) as unknown;
      const errors = isRecord(body) ? body.errors : undefined;
      const auth = isRecord(errors) ? errors.authorization : undefined;
      code = typeof auth === 'string' ? auth : undefined;
    } catch {
      code = undefined;
    }
    throw new TinyauthClientError(
      'service-key-rejected',
      `tinyauth rejected this service's access key on ${endpoint} (HTTP ${status}, ${code ?? 'no error code'})`,
      code,
      status,
    );
  }
  if (status >= 500) {
    throw new TinyauthClientError(
      'server-error',
      `tinyauth failed on ${endpoint} (HTTP ${status})`,
      undefined,
      status,
    );
  }
  throw new TinyauthClientError(
    'unexpected-status',
    `tinyauth answered HTTP ${status} on ${endpoint}`,
    undefined,
    status,
  );
}

/** Checks an authorize-by-token answer field by field; anything unexpected is malformed (and so denies). */
export function parseAuthorizeByToken(response: TinyauthHttpResponse): AuthorizeByTokenResponse {
  if (response.status !== 200) failForStatus(response, 'authorize-by-token');
  const body = parseJson(response);
  if (
    !isRecord(body) ||
    typeof body.Authorized !== 'boolean' ||
    (body.Permitted !== undefined && !isResourceMap(body.Permitted)) ||
    (body.NotPermitted !== undefined && !isResourceMap(body.NotPermitted)) ||
    (body.ErrorCode !== undefined && typeof body.ErrorCode !== 'string') ||
    (body.Identity !== undefined && typeof body.Identity !== 'string')
  ) {
    throw new TinyauthClientError(
      'malformed-response',
      'tinyauth answered authorize-by-token with an unexpected body',
    );
  }
  return {
    Authorized: body.Authorized,
    Permitted: (body.Permitted as Record<string, string[]> | undefined) ?? {},
    NotPermitted: (body.NotPermitted as Record<string, string[]> | undefined) ?? {},
    ErrorCode: body.ErrorCode as string | undefined,
    Identity: body.Identity as string | undefined,
  };
}

/** Reads a get-token-for-login answer (200 only; 401 is handled by the caller). */
export function parseLoginToken(response: TinyauthHttpResponse): LoginToken {
  const body = parseJson(response);
  if (
    !isRecord(body) ||
    typeof body.token !== 'string' ||
    (body.csrf !== undefined && typeof body.csrf !== 'string')
  ) {
    throw new TinyauthClientError(
      'malformed-response',
      'tinyauth answered get-token-for-login with an unexpected body',
    );
  }
  return body.csrf === undefined ? { token: body.token } : { token: body.token, csrf: body.csrf };
}
