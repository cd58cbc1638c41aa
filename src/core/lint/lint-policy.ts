/**
 * Entry points of the policy linter: one policy document, a list of them (one user's policies, in order), or a
 * fixture (users, groups and their policies, as the compatible server and the conformance data hold them).
 */
import { isDict, type JsonObject } from '../python-values';
import type { LintFinding, LintSettings } from './lint-rules';
import { LINT_RULES } from './lint-rules';
import { lintEffectivePolicy, type PlacedStatement } from './lint-shadowing';
import { FindingList, lintStatement } from './lint-statement';

/** What {@link lintPolicyInput} recognised its input as. */
export type LintInputKind = 'document' | 'documents' | 'fixture';

/** The input is none of the shapes the linter reads. */
export class LintInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LintInputError';
  }
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Lints one document's statements; returns them placed, for the rules that compare statements. */
function lintDocument(
  doc: unknown,
  path: string,
  settings: LintSettings,
  out: FindingList,
): PlacedStatement[] {
  if (!isDict(doc)) {
    out.add(LINT_RULES.statementNotList, path, `the policy document is ${show(doc)}, not an object`);
    return [];
  }
  if (!Object.hasOwn(doc, 'Statement')) return [];
  const statement = doc.Statement;
  const at = `${path}.Statement`;
  if (Array.isArray(statement)) {
    return statement.map((s, i) => {
      const placed = { statement: s, path: `${at}[${i}]` };
      lintStatement(s, placed.path, settings, out);
      return placed;
    });
  }
  if (isDict(statement)) {
    out.add(LINT_RULES.statementObject, at, 'Statement is one object, not a list');
    lintStatement(statement, at, settings, out);
    return [];
  }
  out.add(LINT_RULES.statementNotList, at, `Statement is ${show(statement)}, not a list`);
  return [];
}

/**
 * Lints one policy document (`{"Statement": [...]}`), e.g. a user's merged policy. Paths start at `path`.
 * @returns the findings, in document order
 */
export function lintPolicyDocument(doc: unknown, settings: LintSettings = {}, path = '$'): LintFinding[] {
  const out = new FindingList();
  lintEffectivePolicy(lintDocument(doc, path, settings, out), out);
  return out.findings;
}

const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** The documents of a user's or group's `policies` list, with their paths. */
function policiesOf(owner: JsonObject, path: string): { doc: unknown; path: string }[] {
  return list(owner.policies).map((p, j) => ({
    doc: isDict(p) ? p.policy : undefined,
    path: `${path}.policies[${j}].policy`,
  }));
}

function lintFixture(f: JsonObject, settings: LintSettings, out: FindingList): void {
  const groups = new Map<string, PlacedStatement[]>();
  list(f.groups).forEach((g, i) => {
    if (!isDict(g)) return;
    const placed = policiesOf(g, `$.groups[${i}]`).flatMap((p) => lintDocument(p.doc, p.path, settings, out));
    if (typeof g.name === 'string') groups.set(g.name, placed);
  });
  const users: { u: unknown; path: string }[] = list(f.users).map((u, i) => ({ u, path: `$.users[${i}]` }));
  if (f.root !== undefined) users.push({ u: f.root, path: '$.root' });
  for (const { u, path } of users) {
    if (!isDict(u)) continue;
    const own = policiesOf(u, path).flatMap((p) => lintDocument(p.doc, p.path, settings, out));
    // tinyauth merges group policies first (in its database's order, which reverses the fixture's), then the user's.
    const memberOf = list(u.groups).filter((g): g is string => typeof g === 'string');
    const merged = [...memberOf].reverse().flatMap((g) => groups.get(g) ?? []);
    lintEffectivePolicy([...merged, ...own], out);
  }
}

/**
 * Lints a parsed JSON input: a policy document, a list of documents (read as one user's policies, so statements
 * are compared across them), or a fixture (`users`, `groups`, `root`; each user's group and own policies are
 * compared together). Throws {@link LintInputError} for anything else.
 */
export function lintPolicyInput(
  value: unknown,
  settings: LintSettings = {},
): { kind: LintInputKind; findings: LintFinding[] } {
  const out = new FindingList();
  if (Array.isArray(value)) {
    const placed = value.flatMap((doc, i) => lintDocument(doc, `$[${i}]`, settings, out));
    lintEffectivePolicy(placed, out);
    return { kind: 'documents', findings: out.findings };
  }
  if (isDict(value) && Object.hasOwn(value, 'Statement')) {
    return { kind: 'document', findings: lintPolicyDocument(value, settings) };
  }
  if (isDict(value) && ['users', 'groups', 'root'].some((k) => Object.hasOwn(value, k))) {
    lintFixture(value, settings, out);
    return { kind: 'fixture', findings: out.findings };
  }
  throw new LintInputError(
    'expected a policy document ({"Statement": [...]}), a list of them, or a fixture (users, groups, root)',
  );
}
