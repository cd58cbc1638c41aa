/**
 * Rules that compare statements of one effective policy: Allows a Deny makes useless, and allow-everything grants.
 */
import { compileGlob } from '../glob';
import { isDict, type JsonObject } from '../python-values';
import { LINT_RULES } from './lint-rules';
import { literalPrefix, patternList, type FindingList } from './lint-statement';

/** A statement of an effective policy and where it was written. */
export interface PlacedStatement {
  readonly statement: unknown;
  readonly path: string;
}

interface Usable {
  readonly path: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** Effect exactly "Deny" (anything else present counts as Allow). */
  readonly deny: boolean;
  readonly conditional: boolean;
  readonly order: number;
}

function strings(items: readonly unknown[]): string[] | undefined {
  return items.every((p): p is string => typeof p === 'string') ? (items as string[]) : undefined;
}

function usable(p: PlacedStatement, order: number): Usable | undefined {
  const s = p.statement;
  if (!isDict(s) || !Object.hasOwn(s, 'Effect')) return undefined;
  const actions = strings(patternList(s as JsonObject, 'Action'));
  const resources = strings(patternList(s as JsonObject, 'Resource'));
  if (actions === undefined || resources === undefined || actions.length === 0 || resources.length === 0)
    return undefined;
  return {
    path: p.path,
    actions,
    resources,
    deny: s.Effect === 'Deny',
    conditional: Object.hasOwn(s, 'Condition'),
    order,
  };
}

/**
 * True when every name `q` matches, `p` matches too. Conservative: `false` whenever that cannot be shown simply
 * (equal patterns, a literal `q`, or `p` = literal text followed by one final `*`).
 */
export function patternCovers(p: string, q: string): boolean {
  if (p === q) return true;
  if (literalPrefix(q) === q) return compileGlob(p).matches(q);
  const head = p.slice(0, -1);
  return p.endsWith('*') && literalPrefix(head) === head && literalPrefix(q).startsWith(head);
}

const coversAll = (ps: readonly string[], qs: readonly string[]): boolean =>
  qs.every((q) => ps.some((p) => patternCovers(p, q)));

/** Runs the shadowing and allow-all rules over the statements of one effective policy, in evaluation order. */
export function lintEffectivePolicy(statements: readonly PlacedStatement[], out: FindingList): void {
  const all = statements.map(usable).filter((u): u is Usable => u !== undefined);
  const denies = all.filter((u) => u.deny && !u.conditional);
  for (const s of all) {
    if (!s.deny && s.actions.includes('*') && s.resources.includes('*')) {
      out.add(LINT_RULES.allowAll, s.path, 'Allow on Action "*" and Resource "*"');
    }
    // Deny wins wherever it stands, so any Deny makes an Allow useless; of two Denies, the later one is redundant.
    const by = denies.find(
      (d) =>
        d !== s &&
        (!s.deny || d.order < s.order) &&
        coversAll(d.actions, s.actions) &&
        coversAll(d.resources, s.resources),
    );
    if (by !== undefined) {
      out.add(
        LINT_RULES.shadowedByDeny,
        s.path,
        s.deny
          ? `this Deny repeats the Deny at ${by.path}, which already covers all its actions and resources`
          : `this Allow can never allow: the unconditional Deny at ${by.path} covers all its actions and resources`,
      );
    }
  }
}
