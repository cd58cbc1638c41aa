export {
  ALWAYS_SENT_CONTEXT_KEYS,
  LINT_RULES,
  type LintFinding,
  type LintRule,
  type LintSettings,
  type LintSeverity,
} from './lint-rules';
export { LintInputError, lintPolicyDocument, lintPolicyInput, type LintInputKind } from './lint-policy';
export { patternCovers } from './lint-shadowing';
