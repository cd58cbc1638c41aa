import { Logger } from '@nestjs/common';
import { isDict, lintPolicyDocument, type LintSettings } from '../../core';

/** Findings remembered so each is logged once; beyond this many, further new findings are still logged. */
const MAX_REMEMBERED = 10_000;

/**
 * Local mode's start-up lint: each merged policy fetched from tinyauth goes through the policy linter, and each
 * finding is logged once per process (a group's statement shared by many users is one finding). Findings name the
 * user, the rule, the statement's path in the user's merged policy and the fix; never a credential.
 */
export class PolicyLintLog {
  private readonly logger = new Logger('Tinyauth');
  private readonly logged = new Set<string>();

  constructor(private readonly settings: LintSettings) {}

  /** Lints `policy`, the merged policy of `user` as user-policies returned it. Never throws. */
  readonly check = (user: string, policy: unknown): void => {
    try {
      const statements = isDict(policy) ? policy.Statement : undefined;
      for (const f of lintPolicyDocument(policy, this.settings)) {
        const at = /^\$\.Statement\[(\d+)\]/.exec(f.path);
        const statement = at !== null && Array.isArray(statements) ? statements[Number(at[1])] : f.path;
        const key = `${f.rule}\0${f.message}\0${JSON.stringify(statement)}`;
        if (this.logged.has(key)) continue;
        if (this.logged.size < MAX_REMEMBERED) this.logged.add(key);
        const line = `policy lint ${f.severity} [${f.rule}] user ${JSON.stringify(user)} ${f.path}: ${f.message}. Fix: ${f.fix}`;
        if (f.severity === 'error') this.logger.error(line);
        else this.logger.warn(line);
      }
    } catch {
      // The linter is advice: whatever it trips on must not disturb decisions.
    }
  };
}
