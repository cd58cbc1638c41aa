/**
 * `nestjs-tinyauth/policy`: tinyauth's policy language as tools for code of your own (a CI step, an admin page),
 * the same evaluator and linter the module and `npx nestjs-tinyauth explain|lint` use. Pure functions: no I/O, no
 * Nest.
 *
 * - `explainPolicy(policy, action, resource, context)` traces how tinyauth evaluates one check against one merged
 *   policy document (`{ Statement: [...] }`): each statement's Action, Resource and conditions with the context
 *   values they saw, the statement that decided, and for an implicit deny the nearest misses. A document the
 *   evaluator rejects throws `PolicyError`, as tinyauth itself fails on it. `formatExplanation` renders the trace
 *   as text.
 * - `lintPolicyDocument(document, settings?)` returns the `LintFinding`s of one document (rule from `LINT_RULES`,
 *   severity, JSON path, message), in document order; a bad document is findings, never a throw.
 *   `lintPolicyInput(value, settings?)` also takes a list of documents or a fixture (`users`, `groups`) and throws
 *   `LintInputError` for anything else.
 */
export {
  explainPolicy,
  formatExplanation,
  lintPolicyDocument,
  lintPolicyInput,
  LINT_RULES,
  type ConditionTrace,
  type LintFinding,
  type LintSettings,
  type LintSeverity,
  type NearMiss,
  type PatternTrace,
  type PolicyExplanation,
  type StatementTrace,
} from '../core';
