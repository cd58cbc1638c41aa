import { HttpException, HttpStatus } from '@nestjs/common';
import type { TinyauthDecision } from '../decision';
import { isAuthenticationErrorCode } from './error-codes';

/** The JSON body every denial answers with: never the credentials, only the outcome. */
export interface AuthorizationFailedBody {
  Authorized: false;
  ErrorCode: string;
}

/**
 * Thrown for every denial; the NestJS counterpart of flask_tinyauth's `AuthorizationFailed`. One
 * `@Catch(AuthorizationFailed)` filter customises the response of all of its subclasses.
 */
export class AuthorizationFailed extends HttpException {
  /** The decision that led here (`errorCode`, what was and was not permitted). */
  readonly decision: TinyauthDecision;
  /**
   * Response headers that belong to this denial: `WWW-Authenticate` on a 401 (RFC 9110 §15.5.2), nothing on a
   * 403 or 503. `TinyauthGuard` has already set them on the HTTP response when it throws, so a filter that
   * replies through the same response keeps them; a filter that builds a response elsewhere copies them.
   */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * tinyauth's error code, or `TinyauthUnavailable`; `NotPermitted` when the decision has none. An own property,
   * not a getter: Nest 12's `HttpException` declares an `errorCode` field, which would shadow a getter with
   * `undefined`.
   */
  readonly errorCode: string;

  constructor(decision: TinyauthDecision, status: number, headers: Readonly<Record<string, string>> = {}) {
    const errorCode = decision.errorCode ?? 'NotPermitted';
    const body: AuthorizationFailedBody = { Authorized: false, ErrorCode: errorCode };
    super(body, status);
    this.decision = decision;
    this.errorCode = errorCode;
    this.headers = headers;
    this.name = new.target.name;
  }
}

/** 401: no credentials, bad or expired credentials, or a failed CSRF check. */
export class NotAuthenticated extends AuthorizationFailed {
  /**
   * @param challenge the `WWW-Authenticate` value to answer with, e.g. `Tinyauth realm="apples"` (see the
   *   README's "Responses"); without one, `headers` is empty.
   */
  constructor(decision: TinyauthDecision, challenge?: string) {
    super(
      decision,
      HttpStatus.UNAUTHORIZED,
      challenge === undefined ? {} : { 'WWW-Authenticate': challenge },
    );
  }
}

/** 403: the caller is known, but its policies do not allow the action. */
export class NotPermitted extends AuthorizationFailed {
  constructor(decision: TinyauthDecision) {
    super(decision, HttpStatus.FORBIDDEN);
  }
}

/** 503: no decision could be had from tinyauth, so the request is refused (fail closed). */
export class TinyauthUnavailable extends AuthorizationFailed {
  constructor(decision: TinyauthDecision) {
    super(decision, HttpStatus.SERVICE_UNAVAILABLE);
  }
}

/**
 * Picks the exception for a denial: 401 for identity failures (carrying `challenge` as its `WWW-Authenticate`),
 * 503 when tinyauth failed, otherwise 403.
 */
export function exceptionForDecision(decision: TinyauthDecision, challenge?: string): AuthorizationFailed {
  if (decision.errorCode === 'TinyauthUnavailable') return new TinyauthUnavailable(decision);
  if (isAuthenticationErrorCode(decision.errorCode)) return new NotAuthenticated(decision, challenge);
  return new NotPermitted(decision);
}
