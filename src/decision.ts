/** One permission to check: an action name (without the service prefix) on a full resource ARN. */
export interface TinyauthCheck {
  action: string;
  resource: string;
}

/**
 * Where a decision's answer came from: `tinyauth` (asked over HTTP, including a failure to reach it), `cache` (an
 * allow reused by `mode: 'cached'`), `local` (decided in-process from fresh keys and policies), `stale` (decided
 * in-process from keys or policies past their lifetime, within `maxStaleMs`, while tinyauth is unreachable),
 * `bypass` (bypass mode, nobody asked), or `guard` (refused by the guard itself without asking anyone: a handler
 * with neither `@RequireAction` nor `@Public`, or a resource it cannot build).
 */
export type TinyauthDecisionSource = 'tinyauth' | 'cache' | 'local' | 'stale' | 'bypass' | 'guard';

/** The outcome of one authorization: allowed only when `authorized` is exactly `true`. */
export interface TinyauthDecision {
  authorized: boolean;
  /** The user tinyauth identified; present only when authorized. */
  identity?: string;
  /** Why the request was denied; absent when authorized. */
  errorCode?: string;
  /** Resources granted, per action, as tinyauth reported them. */
  permitted: Record<string, string[]>;
  /** Resources refused, per action. */
  notPermitted: Record<string, string[]>;
  /** Where the answer came from, for observability only: it never changes what the decision allows. */
  source?: TinyauthDecisionSource;
}

/** A denial that did not come from tinyauth's judgement but from failing to reach or understand it. */
export function unavailableDecision(checks: readonly TinyauthCheck[]): TinyauthDecision {
  return {
    authorized: false,
    errorCode: 'TinyauthUnavailable',
    permitted: {},
    notPermitted: groupChecks(checks),
    source: 'tinyauth',
  };
}

/** Groups checks into tinyauth's `permit` shape, keeping first-seen order and dropping repeats. */
export function groupChecks(checks: readonly TinyauthCheck[]): Record<string, string[]> {
  const permit: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const { action, resource } of checks) {
    const list = (permit[action] ??= []);
    if (!list.includes(resource)) list.push(resource);
  }
  return permit;
}
