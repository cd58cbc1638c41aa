/**
 * The fixture format of the compatible server: a superset of the `fixtures` object of the conformance data
 * (`http-exchanges.json`), which loads exactly as it is.
 */
import { readFileSync } from 'node:fs';
import { isDict, type JsonObject } from '../core/python-values';

/** A named policy document attached to a user or a group. */
export interface FixturePolicy {
  name: string;
  /** A policy document, e.g. `{"Statement": [{"Action": "*", "Resource": "*", "Effect": "Allow"}]}`. */
  policy: Record<string, unknown>;
}

/** A user of the store. Unknown extra keys (e.g. `created_by`) are allowed and ignored. */
export interface FixtureUser {
  username: string;
  /** Password for get-token-for-login / authorize-login; `null` or absent = the user cannot log in. */
  password?: string | null;
  /** Access keys as `[access key id, secret access key]` pairs (checked at load time). */
  access_keys?: ReadonlyArray<readonly string[]>;
  /** Names of groups (declared in {@link Fixture.groups}) the user belongs to. */
  groups?: readonly string[];
  policies?: readonly FixturePolicy[];
  [extra: string]: unknown;
}

/** A group and its policies. */
export interface FixtureGroup {
  name: string;
  policies?: readonly FixturePolicy[];
  [extra: string]: unknown;
}

/** The whole store: users, groups, and an optional `root` user (same shape as a user). */
export interface Fixture {
  users?: readonly FixtureUser[];
  groups?: readonly FixtureGroup[];
  root?: FixtureUser;
  [extra: string]: unknown;
}

class FixtureError extends Error {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'FixtureError';
  }
}

function expectArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new FixtureError(path, 'expected an array');
  return v;
}

function expectString(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new FixtureError(path, 'expected a string');
  return v;
}

function expectObject(v: unknown, path: string): JsonObject {
  if (!isDict(v)) throw new FixtureError(path, 'expected an object');
  return v;
}

function validatePolicies(v: unknown, path: string): void {
  if (v === undefined) return;
  expectArray(v, path).forEach((p, i) => {
    const o = expectObject(p, `${path}[${i}]`);
    expectString(o.name, `${path}[${i}].name`);
    expectObject(o.policy, `${path}[${i}].policy`);
  });
}

function validateUser(
  v: unknown,
  path: string,
  groups: ReadonlySet<string>,
  keys: Map<string, string>,
): string {
  const u = expectObject(v, path);
  const username = expectString(u.username, `${path}.username`);
  if (username === '') throw new FixtureError(`${path}.username`, 'must not be empty');
  if (u.password !== undefined && u.password !== null) expectString(u.password, `${path}.password`);
  if (u.access_keys !== undefined) {
    expectArray(u.access_keys, `${path}.access_keys`).forEach((k, i) => {
      const kp = `${path}.access_keys[${i}]`;
      if (
        !Array.isArray(k) ||
        k.length !== 2 ||
        typeof k[0] !== 'string' ||
        typeof k[1] !== 'string' ||
        k[0] === ''
      ) {
        throw new FixtureError(kp, 'expected [id, secret]');
      }
      const owner = keys.get(k[0]);
      if (owner !== undefined)
        throw new FixtureError(kp, `duplicate access key id ${JSON.stringify(k[0])} (also at ${owner})`);
      keys.set(k[0], kp);
    });
  }
  if (u.groups !== undefined) {
    expectArray(u.groups, `${path}.groups`).forEach((g, i) => {
      const name = expectString(g, `${path}.groups[${i}]`);
      if (!groups.has(name))
        throw new FixtureError(`${path}.groups[${i}]`, `unknown group ${JSON.stringify(name)}`);
    });
  }
  validatePolicies(u.policies, `${path}.policies`);
  return username;
}

/**
 * Validates a fixture and returns it typed. Throws an Error naming the bad field path, e.g.
 * `fixture.users[2].access_keys[0]: expected [id, secret]`.
 */
export function validateFixture(value: unknown, label = 'fixture'): Fixture {
  const f = expectObject(value, label);
  const groups = new Set<string>();
  if (f.groups !== undefined) {
    expectArray(f.groups, `${label}.groups`).forEach((g, i) => {
      const o = expectObject(g, `${label}.groups[${i}]`);
      const name = expectString(o.name, `${label}.groups[${i}].name`);
      if (groups.has(name))
        throw new FixtureError(`${label}.groups[${i}].name`, `duplicate group ${JSON.stringify(name)}`);
      groups.add(name);
      validatePolicies(o.policies, `${label}.groups[${i}].policies`);
    });
  }
  const names = new Set<string>();
  const keys = new Map<string, string>();
  const addUser = (u: unknown, path: string): void => {
    const name = validateUser(u, path, groups, keys);
    if (names.has(name)) throw new FixtureError(`${path}.username`, `duplicate user ${JSON.stringify(name)}`);
    names.add(name);
  };
  if (f.users !== undefined)
    expectArray(f.users, `${label}.users`).forEach((u, i) => addUser(u, `${label}.users[${i}]`));
  if (f.root !== undefined) addUser(f.root, `${label}.root`);
  return f as Fixture;
}

/** Reads and validates a JSON fixture file. */
export function loadFixtureFile(file: string): Fixture {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read fixture ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return validateFixture(parsed, 'fixture');
}
