/**
 * A user's effective policy as tinyauth merges it (protocol §7 and quirks 15-16), shared by the compatible server's
 * store and the `nestjs-tinyauth explain` command.
 */
import { isDict } from '../core/python-values';
import type { Fixture, FixturePolicy } from './fixture';
import { pyIterate } from './python-coerce';

/** The merged policy of a user, or why tinyauth crashes while merging it. */
export type MergedPolicy = { readonly Statement: unknown[] } | { readonly error: string };

/**
 * Concatenates the statements of `docs` in order with Python's `list.extend`, so a `Statement` that is an object
 * contributes its keys and a string its characters (quirk 15); `null` or a number crashes the real server.
 */
export function mergePolicyDocuments(docs: readonly FixturePolicy[]): MergedPolicy {
  const statements: unknown[] = [];
  for (const d of docs) {
    const s: unknown = isDict(d.policy) && Object.hasOwn(d.policy, 'Statement') ? d.policy.Statement : [];
    const items = pyIterate(s);
    if (items === undefined) return { error: `policy ${JSON.stringify(d.name)}: Statement is not iterable` };
    statements.push(...items);
  }
  return { Statement: statements };
}

/**
 * The documents tinyauth merges for a user, in its order: each group's policies, groups in the recorded server's
 * database order (the reverse of the user's `groups` list, quirk 16), then the user's own.
 */
export function userPolicyDocuments(
  user: { readonly groups?: readonly string[]; readonly policies?: readonly FixturePolicy[] },
  groupPolicies: (group: string) => readonly FixturePolicy[] | undefined,
): FixturePolicy[] {
  const docs: FixturePolicy[] = [];
  for (const g of [...(user.groups ?? [])].reverse()) docs.push(...(groupPolicies(g) ?? []));
  docs.push(...(user.policies ?? []));
  return docs;
}

/** The merged policy of `username` in a fixture (users and root), or undefined when there is no such user. */
export function fixtureUserPolicy(fixture: Fixture, username: string): MergedPolicy | undefined {
  const users = [...(fixture.users ?? []), ...(fixture.root ? [fixture.root] : [])];
  const user = users.find((u) => u.username === username);
  if (user === undefined) return undefined;
  const groups = new Map((fixture.groups ?? []).map((g) => [g.name, g.policies ?? []]));
  return mergePolicyDocuments(userPolicyDocuments(user, (g) => groups.get(g)));
}
