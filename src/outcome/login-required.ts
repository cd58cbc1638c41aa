import { HttpException, HttpStatus } from '@nestjs/common';
import type { TinyauthDecision } from '../decision';
import type { AuthorizationFailedBody } from './authorization-failed';

/**
 * Thrown by the guard for an unauthenticated GET or HEAD of a `@RedirectToLogin()` page. The module's
 * `LoginRedirectFilter` answers it with a 302 to the login page.
 *
 * It deliberately does not extend `AuthorizationFailed`: an app's `@Catch(AuthorizationFailed)` filter customises
 * denials, and must not swallow the sign-in redirect of its pages. Without any filter it is a plain 401.
 */
export class LoginRequired extends HttpException {
  constructor(
    /** The denial that led here (an authentication failure). */
    readonly decision: TinyauthDecision,
    /** The page to come back to after signing in: the request's path and query. */
    readonly next: string,
  ) {
    const body: AuthorizationFailedBody = {
      Authorized: false,
      ErrorCode: decision.errorCode ?? 'UnsignedRequest',
    };
    super(body, HttpStatus.UNAUTHORIZED);
    this.name = 'LoginRequired';
  }
}
