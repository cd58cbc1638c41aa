import { Logger } from '@nestjs/common';
import type { TinyauthClient } from '../client/tinyauth-client';
import { TinyauthClientError } from '../client/client-errors';
import type { RequestFacts } from '../request/request-facts';
import type { Authorizer } from './authorizer.interface';
import { groupChecks, unavailableDecision, type TinyauthCheck, type TinyauthDecision } from '../decision';
import { decisionContext } from './request-context';

const LOG_INTERVAL_MS = 60_000;

/** Asks tinyauth for every decision: one authorize-by-token call carrying all the checks of a request. */
export class RemoteAuthorizer implements Authorizer {
  private readonly logger = new Logger('Tinyauth');
  private readonly lastLogged = new Map<string, number>();

  constructor(private readonly client: TinyauthClient) {}

  async authorize(
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    if (checks.length === 0) return unavailableDecision(checks);
    try {
      const answer = await this.client.authorizeByToken({
        permit: groupChecks(checks),
        headers: facts.headers,
        context: decisionContext(facts, context),
      });
      // Only the boolean true allows, only with nothing refused and every requested pair reported permitted.
      const authorized =
        answer.Authorized === true &&
        Object.keys(answer.NotPermitted).length === 0 &&
        coversEveryCheck(answer.Permitted, checks);
      return {
        authorized,
        identity: authorized ? answer.Identity : undefined,
        errorCode: authorized ? undefined : (answer.ErrorCode ?? 'NotPermitted'),
        permitted: answer.Permitted,
        notPermitted: answer.NotPermitted,
        source: 'tinyauth',
      };
    } catch (err) {
      this.report(err);
      return unavailableDecision(checks);
    }
  }

  /** One line per kind of failure per minute: enough to act on, not enough to flood the logs. */
  private report(err: unknown): void {
    const failure =
      err instanceof TinyauthClientError
        ? err
        : new TinyauthClientError('connection', 'unexpected client failure');
    const key = `${failure.kind}:${failure.errorCode ?? ''}`;
    const now = Date.now();
    if ((this.lastLogged.get(key) ?? 0) + LOG_INTERVAL_MS > now) return;
    this.lastLogged.set(key, now);
    const advice =
      failure.kind === 'service-key-rejected'
        ? ' Check accessKeyId/secretAccessKey (TINYAUTH_ACCESS_KEY_ID / TINYAUTH_SECRET_ACCESS_KEY) and that the key may call tinyauth:BatchAuthorizeByToken on this service.'
        : '';
    this.logger.error(`${failure.message}; denying the request (503).${advice}`);
  }
}

/** True when tinyauth's `Permitted` map lists every requested (action, resource) pair. */
function coversEveryCheck(permitted: Record<string, string[]>, checks: readonly TinyauthCheck[]): boolean {
  for (const { action, resource } of checks) {
    const granted = Object.hasOwn(permitted, action) ? permitted[action] : undefined;
    if (granted === undefined || !granted.includes(resource)) return false;
  }
  return true;
}
