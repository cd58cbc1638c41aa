import type { Authorizer } from './authorizer.interface';
import { groupChecks, type TinyauthCheck, type TinyauthDecision } from '../decision';

/** Development only: allows every check without asking tinyauth (flask_tinyauth's TINYAUTH_BYPASS). */
export class BypassAuthorizer implements Authorizer {
  authorize(_facts: unknown, checks: readonly TinyauthCheck[]): Promise<TinyauthDecision> {
    return Promise.resolve({
      authorized: true,
      permitted: groupChecks(checks),
      notPermitted: {},
      source: 'bypass',
    });
  }
}
