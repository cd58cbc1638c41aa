/**
 * The policy linter's rules: tinyauth's traps (protocol §7 and §11), each with an id, a severity and a one-line
 * fix. An `error` is a statement that grants by accident, never matches, or makes tinyauth answer 500; a `warning` is
 * one that probably does not do what it says.
 */

/** `error`: wrong for certain (exit status 1 in the CLI); `warning`: probably not what was meant. */
export type LintSeverity = 'error' | 'warning';

/** One rule of the linter. */
export interface LintRule {
  readonly id: string;
  readonly severity: LintSeverity;
  /** What the rule finds and why it matters. */
  readonly summary: string;
  /** The usual fix, in one line. */
  readonly fix: string;
}

/** One finding: a rule broken by the statement at `path`. */
export interface LintFinding {
  readonly rule: string;
  readonly severity: LintSeverity;
  /** JSONPath of the statement (or of the `Statement` member) in the linted input, e.g. `$.Statement[2]`. */
  readonly path: string;
  /** What is wrong with this statement, in one line. */
  readonly message: string;
  /** How to fix it, in one line. */
  readonly fix: string;
}

/** What the linter needs to know about the service whose policies it reads. */
export interface LintSettings {
  /** The ARN partition Resources should use (TINYAUTH_PARTITION). Default `tinyauth`. */
  readonly partition?: string;
  /**
   * Context keys the service sends besides `SourceIp` and `RequestDateTime` (always sent by the guard) and `Mfa`
   * (added by tinyauth): the keys of `TinyauthGuard.getContext` and of `TinyauthService.authorize`'s context.
   */
  readonly contextKeys?: readonly string[];
}

/** Keys every check carries: the guard's SourceIp and RequestDateTime, tinyauth's Mfa. */
export const ALWAYS_SENT_CONTEXT_KEYS: readonly string[] = ['SourceIp', 'RequestDateTime', 'Mfa'];

const rule = (id: string, severity: LintSeverity, summary: string, fix: string): LintRule => ({
  id,
  severity,
  summary,
  fix,
});

/** Every rule, in the order the README lists them. */
export const LINT_RULES = {
  effectAllows: rule(
    'effect-allows',
    'error',
    'an Effect other than "Allow" or "Deny": tinyauth counts any Effect but exactly "Deny" as Allow',
    'write "Allow" or "Deny" exactly',
  ),
  denyCase: rule(
    'deny-case',
    'error',
    '"Deny" spelled in another case ("deny", "DENY"): it counts as Allow and grants access',
    'write "Deny" exactly (capital D, lower-case "eny")',
  ),
  effectMissing: rule(
    'effect-missing',
    'error',
    'no Effect: tinyauth raises (HTTP 500) on every request this statement matches',
    'add "Effect": "Allow" or "Effect": "Deny"',
  ),
  notAction: rule(
    'not-action',
    'error',
    'NotAction or NotResource: not implemented by tinyauth, the statement never matches',
    'list the actions or resources explicitly in Action / Resource (and use a Deny for the exceptions)',
  ),
  noActionOrResource: rule(
    'no-action-or-resource',
    'warning',
    'no Action or no Resource: the statement never matches',
    'add the missing Action or Resource',
  ),
  nonStringPattern: rule(
    'non-string-pattern',
    'error',
    'an Action or Resource pattern that is not a string: tinyauth raises (HTTP 500) when comparing it',
    'write every pattern as a string',
  ),
  unknownOperator: rule(
    'unknown-operator',
    'error',
    'a condition operator other than IpAddress, NotIpAddress, StringEquals, StringNotEquals: HTTP 500 at request time',
    'use one of IpAddress, NotIpAddress, StringEquals, StringNotEquals',
  ),
  badIp: rule(
    'bad-ip',
    'error',
    'an IpAddress / NotIpAddress value that is not one IP or CIDR network (host bits clear): HTTP 500 at request time',
    'give one network such as "10.0.0.0/8" (one statement per network for several)',
  ),
  malformedCondition: rule(
    'malformed-condition',
    'error',
    'a Condition (or an operator block) that is not an object: HTTP 500 at request time',
    'write {"<Operator>": {"<ContextKey>": <value>}}',
  ),
  contextKeyNeverSent: rule(
    'context-key-never-sent',
    'warning',
    'a condition on a context key the service never sends: it never holds, NotIpAddress and StringNotEquals included, so a Deny guarded by it is silently skipped',
    'send the key (TinyauthGuard.getContext or TinyauthService.authorize context, and list it in contextKeys) or remove the condition',
  ),
  statementObject: rule(
    'statement-object',
    'error',
    'a stored Statement that is one object, not a list: every request of the user fails with HTTP 500',
    'wrap the statement in a list: "Statement": [ {...} ]',
  ),
  statementNotList: rule(
    'statement-not-list',
    'error',
    'a Statement that is neither a list nor an object: every request of the user fails with HTTP 500',
    'make Statement a list of statement objects',
  ),
  statementNotObject: rule(
    'statement-not-object',
    'error',
    'a statement that is not an object: tinyauth raises (HTTP 500) when evaluation reaches it',
    'make each statement an object with Effect, Action and Resource',
  ),
  actionPrefix: rule(
    'action-prefix',
    'warning',
    'an Action pattern without a "service:" prefix: tinyauth checks "service:Action", so it matches nothing',
    'prefix the action with its service, e.g. "apples:GetApple"',
  ),
  resourcePartition: rule(
    'resource-partition',
    'warning',
    "a Resource that is not an ARN of the configured partition: it matches none of the service's resources",
    'write the full ARN, e.g. "arn:tinyauth:apples:default::apples/*"',
  ),
  shadowedByDeny: rule(
    'shadowed-by-deny',
    'warning',
    'a statement whose every action and resource an unconditional Deny already covers: it can never allow (Deny wins wherever it stands)',
    'narrow the Deny, or remove the statement it makes useless',
  ),
  allowAll: rule(
    'allow-all',
    'warning',
    'an Allow with "*" on both Action and Resource: every action of every service, tinyauth\'s own included',
    'grant the actions and resources the user needs, e.g. "apples:*" on "arn:tinyauth:apples:*"',
  ),
  globUnclosedBracket: rule(
    'glob-unclosed-bracket',
    'warning',
    'a "[" without a closing "]": fnmatch reads it as a literal "["',
    'close the set, or drop the "[" if it was not meant as one',
  ),
  globReversedRange: rule(
    'glob-reversed-range',
    'warning',
    'a reversed range in a set ("[z-a]"): fnmatch drops it, endpoints included',
    'write the range low to high, e.g. "[a-z]"',
  ),
  globCaret: rule(
    'glob-caret',
    'warning',
    'a set starting with "^" ("[^a]"): in fnmatch "^" is a literal, the negation is "[!a]"',
    'write "[!...]" to negate',
  ),
  globBackslash: rule(
    'glob-backslash',
    'warning',
    'a backslash in a pattern: fnmatch has no escaping, "\\*" is a backslash followed by a wildcard',
    'remove the backslash; to match a literal "*", "?" or "[", write "[*]", "[?]" or "[[]"',
  ),
} as const satisfies Record<string, LintRule>;
