import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import type { TinyauthCheck, TinyauthDecision } from '../decision';
import { isAuthenticationErrorCode } from '../outcome/error-codes';
import type { TinyauthCheckResult, TinyauthDecisionEvent, TinyauthDecisionHandler } from '../decision-event';
import { outcomeOf, type TinyauthTelemetry } from './telemetry';

/** Where a decision is asked for: Nest's context type and `Class.method`. */
export interface DecisionSite {
  transport: string;
  route: string;
}

/** What the observer needs to know about the module's configuration. */
export interface DecisionObserverSettings {
  /** `remote`, `cached`, `local` or `bypass`. */
  mode: string;
  handlers: readonly TinyauthDecisionHandler[];
}

/** A handler taking longer than this on the request path is reported (once). */
const SLOW_HANDLER_MS = 100;
const PLAIN_REQUEST_ID = /^[A-Za-z0-9._~:/+=@-]{1,128}$/;
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'x-csrf-token', 'proxy-authorization']);

/**
 * Watches one decision at a time: times it, wraps it in a `tinyauth.authorize` span, records its metrics and hands
 * the decision event to the handlers. It never changes a decision: it returns exactly what the authorizer gave, and
 * a failing handler is caught.
 */
export class DecisionObserver {
  private readonly logger = new Logger('Tinyauth');
  private reportedFailure = false;
  private reportedSlow = false;

  constructor(
    private readonly settings: DecisionObserverSettings,
    private readonly telemetry: TinyauthTelemetry,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Runs `decide` and observes the decision it reaches. */
  async observe(
    site: DecisionSite,
    headers: ReadonlyArray<readonly [string, string]>,
    checks: readonly TinyauthCheck[],
    decide: () => Promise<TinyauthDecision>,
  ): Promise<TinyauthDecision> {
    const { telemetry, settings } = this;
    if (settings.handlers.length === 0 && !telemetry.enabled) return decide();
    const started = this.clock();
    const span = telemetry.startDecisionSpan(settings.mode);
    let decision: TinyauthDecision;
    try {
      decision = await (span === undefined ? decide() : telemetry.withSpan(span, decide));
    } catch (err) {
      telemetry.failDecision(span, err);
      throw err;
    }
    const latencyMs = this.clock() - started;
    telemetry.recordDecision(span, settings.mode, decision, checks.length, latencyMs / 1000);
    if (settings.handlers.length > 0) this.deliver(this.event(site, headers, checks, decision, latencyMs));
    return decision;
  }

  private event(
    site: DecisionSite,
    headers: ReadonlyArray<readonly [string, string]>,
    checks: readonly TinyauthCheck[],
    decision: TinyauthDecision,
    latencyMs: number,
  ): TinyauthDecisionEvent {
    const outcome = outcomeOf(decision);
    const results: TinyauthCheckResult[] = checks.map(({ action, resource }) => ({
      action,
      resource,
      result: isGranted(decision.permitted, action, resource) ? 'allow' : 'deny',
    }));
    return {
      time: new Date().toISOString(),
      requestId: requestIdOf(headers),
      transport: site.transport,
      route: site.route,
      mode: this.settings.mode,
      source: decision.source ?? 'tinyauth',
      identity: outcome === 'allow' ? (decision.identity ?? null) : null,
      checks: results,
      outcome,
      status:
        outcome === 'allow'
          ? 200
          : outcome === 'error'
            ? 503
            : isAuthenticationErrorCode(decision.errorCode)
              ? 401
              : 403,
      errorCode: outcome === 'allow' ? null : (decision.errorCode ?? 'NotPermitted'),
      latencyMs,
    };
  }

  private deliver(event: TinyauthDecisionEvent): void {
    for (const handler of this.settings.handlers) {
      const started = this.clock();
      try {
        const result = handler(event);
        if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, (err: unknown) => this.handlerFailed(err));
        }
      } catch (err) {
        this.handlerFailed(err);
      }
      const took = this.clock() - started;
      if (took > SLOW_HANDLER_MS && !this.reportedSlow) {
        this.reportedSlow = true;
        this.logger.warn(
          `onDecision took ${Math.round(took)} ms on the request path; hand slow work off (e.g. to a queue). Reported once.`,
        );
      }
    }
  }

  private handlerFailed(err: unknown): void {
    if (this.reportedFailure) return;
    this.reportedFailure = true;
    // The name only: a handler's message could quote anything it was given or read.
    const name = err instanceof Error ? err.name : typeof err;
    this.logger.error(`onDecision failed (${name}); the decision stands. Further failures are not logged.`);
  }
}

function isGranted(permitted: Record<string, string[]>, action: string, resource: string): boolean {
  return (
    Object.hasOwn(permitted, action) &&
    Array.isArray(permitted[action]) &&
    permitted[action].includes(resource)
  );
}

/** Whether a credential header's value holds `text`, as it is or inside HTTP Basic's base64 `id:secret`. */
function carries(value: string, text: string): boolean {
  if (value.includes(text)) return true;
  const basic = /^\s*basic\s+(\S+)/i.exec(value);
  return basic !== null && Buffer.from(basic[1], 'base64').toString('latin1').includes(text);
}

/**
 * The request's own `X-Request-Id` when it is a plain token that no credential header carries (so a client cannot
 * get a secret logged by sending it there too), else a new UUID.
 */
export function requestIdOf(headers: ReadonlyArray<readonly [string, string]>): string {
  let id: string | undefined;
  for (const [name, value] of headers) {
    if (name.length === 12 && name.toLowerCase() === 'x-request-id') {
      id = value.trim();
      break;
    }
  }
  if (id === undefined || !PLAIN_REQUEST_ID.test(id)) return randomUUID();
  for (const [name, value] of headers) {
    if (CREDENTIAL_HEADERS.has(name.toLowerCase()) && carries(value, id)) return randomUUID();
  }
  return id;
}
