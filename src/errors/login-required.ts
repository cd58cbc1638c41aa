import type { TinyauthDecision } from '../authorizer/decision';
import { NotAuthenticated } from './authorization-failed';

/**
 * Thrown by the guard for an unauthenticated request to a `@RedirectToLogin()` page. The module's
 * `LoginRedirectFilter` answers it with a 302 to the login page; without that filter it is a plain 401.
 */
export class LoginRequired extends NotAuthenticated {
  constructor(
    decision: TinyauthDecision,
    /** The page to come back to after signing in: a same-site path with its query. */
    readonly next: string,
  ) {
    super(decision);
  }
}
