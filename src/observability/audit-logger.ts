import { Logger, type LoggerService } from '@nestjs/common';
import type { TinyauthDecisionEvent, TinyauthDecisionHandler } from '../decision-event';

/** The Nest logger context of audit lines. */
export const AUDIT_LOG_CONTEXT = 'TinyauthAudit';

/**
 * A decision handler writing one JSON object per decision (JSON lines) at `log` level on Nest's `Logger`, context
 * `TinyauthAudit`. This is what `auditLog: true` switches on; use it directly to send the lines elsewhere.
 */
export function tinyauthAuditLogger(
  logger: LoggerService = new Logger(AUDIT_LOG_CONTEXT),
): TinyauthDecisionHandler {
  return (event: TinyauthDecisionEvent) => {
    logger.log(JSON.stringify(event), AUDIT_LOG_CONTEXT);
  };
}
