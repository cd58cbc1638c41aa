import type { TinyauthDecisionSource } from './decision';

/** What a decision came to: allowed, refused (401/403), or not decided because tinyauth failed (503). */
export type TinyauthDecisionOutcome = 'allow' | 'deny' | 'error';

/** One requested permission and whether it was granted. */
export interface TinyauthCheckResult {
  /** Action name without the service prefix, e.g. `GetApple`. */
  action: string;
  /** Full resource ARN. */
  resource: string;
  result: 'allow' | 'deny';
}

/**
 * One decision, as `onDecision` and the audit log receive it: one per guarded request and per `TinyauthService`
 * call. It carries no credential of any kind (no secret, password, cookie, token or Authorization value).
 */
export interface TinyauthDecisionEvent {
  /** When the decision was made: ISO 8601, UTC (`2024-05-01T12:00:00.000Z`). */
  time: string;
  /** The request's `X-Request-Id` when it sent a plain one (up to 128 of `A-Za-z0-9._~:/+=@-`), else a new UUID. */
  requestId: string;
  /** Nest's context type: `http`, `graphql`, `ws` or `rpc`; `http` for `TinyauthService` calls. */
  transport: string;
  /** `Controller.handler`, or `TinyauthService.authorize` / `TinyauthService.authorizeOrThrow`. */
  route: string;
  /** The decision mode: `remote`, `cached`, `local`, `bypass`, or `custom` (an `authorizer` option of the application). */
  mode: string;
  /** Where the answer came from (see `TinyauthDecisionSource`). */
  source: TinyauthDecisionSource;
  /** The user tinyauth identified (allowed decisions only), else null. */
  identity: string | null;
  /** Every check asked for, in order, with its result. */
  checks: TinyauthCheckResult[];
  outcome: TinyauthDecisionOutcome;
  /** The HTTP status the decision maps to: 200 allowed, 401 not authenticated, 403 not permitted, 503 error. */
  status: 200 | 401 | 403 | 503;
  /** tinyauth's `ErrorCode` (or `TinyauthUnavailable`); null when allowed. */
  errorCode: string | null;
  /** Time taken to decide, in milliseconds (fractional). */
  latencyMs: number;
}

/**
 * Receives every decision event, synchronously, right after the decision. It cannot change the decision: a throw
 * (or a rejected promise) is caught and logged once, and a returned promise is not awaited.
 */
export type TinyauthDecisionHandler = (event: TinyauthDecisionEvent) => void | Promise<void>;
