/**
 * The in-memory store of the compatible server: users, access keys, groups and policies loaded from a fixture.
 */
import { randomBytes } from 'node:crypto';
import type { KeySource } from '../core/identify';
import { basicAuthKey, jwtKey } from '../core/keys';
import { compilePolicy, type CompiledPolicy } from '../core/policy';
import {
  loadFixtureFile,
  validateFixture,
  type Fixture,
  type FixturePolicy,
  type FixtureUser,
} from './fixture';
import { hashPassword, verifyPassword, type PasswordHash } from './passwords';
import { mergePolicyDocuments, userPolicyDocuments, type MergedPolicy } from './merge-policies';

interface StoredUser {
  readonly username: string;
  readonly password: PasswordHash | undefined;
  readonly groups: readonly string[];
  readonly policies: readonly FixturePolicy[];
}

interface StoredKey {
  readonly secret: string;
  readonly owner: string;
}

interface State {
  readonly users: ReadonlyMap<string, StoredUser>;
  readonly keys: ReadonlyMap<string, StoredKey>;
  readonly groups: ReadonlyMap<string, readonly FixturePolicy[]>;
}

export type { MergedPolicy } from './merge-policies';

/** A summary of a user, without secrets (for the CLI banner). */
export interface UserSummary {
  readonly username: string;
  readonly hasPassword: boolean;
  readonly accessKeyIds: readonly string[];
  readonly groups: readonly string[];
}

async function buildState(fixture: Fixture): Promise<State> {
  const all: FixtureUser[] = [...(fixture.users ?? []), ...(fixture.root ? [fixture.root] : [])];
  const users = new Map<string, StoredUser>();
  const keys = new Map<string, StoredKey>();
  const hashed = await Promise.all(
    all.map((u) => (typeof u.password === 'string' ? hashPassword(u.password) : Promise.resolve(undefined))),
  );
  all.forEach((u, i) => {
    users.set(u.username, {
      username: u.username,
      password: hashed[i],
      groups: [...(u.groups ?? [])],
      policies: structuredClone(u.policies ?? []),
    });
    for (const [id, secret] of u.access_keys ?? []) keys.set(id, { secret, owner: u.username });
  });
  const groups = new Map<string, readonly FixturePolicy[]>();
  for (const g of fixture.groups ?? []) groups.set(g.name, structuredClone(g.policies ?? []));
  return { users, keys, groups };
}

/**
 * Users, keys, groups and policies held by a compatible server. Passwords are kept only as PBKDF2 hashes.
 * `reload` swaps the whole content atomically (e.g. between tests).
 */
export class TinyauthStore {
  private state: State = { users: new Map(), keys: new Map(), groups: new Map() };
  private readonly merged = new Map<string, MergedPolicy>();
  private readonly compiled = new Map<string, CompiledPolicy>();

  /**
   * @param signingKey tinyauth's SECRET_SIGNING_KEY (used as UTF-8 text). Random when omitted.
   */
  constructor(readonly signingKey: string = randomBytes(32).toString('hex')) {}

  /** Creates a store loaded with `fixture` (an object or a JSON file path). */
  static async create(fixture: Fixture | string, signingKey?: string): Promise<TinyauthStore> {
    const store = new TinyauthStore(signingKey);
    await store.reload(fixture);
    return store;
  }

  /** Replaces the content with `fixture` (validated first; on error the old content stays). */
  async reload(fixture: Fixture | string): Promise<void> {
    const f = typeof fixture === 'string' ? loadFixtureFile(fixture) : validateFixture(fixture);
    const next = await buildState(f);
    this.state = next;
    this.merged.clear();
    this.compiled.clear();
  }

  /** True when the user exists (exact, case-sensitive name). */
  hasUser(username: string): boolean {
    return this.state.users.has(username);
  }

  /** The users, without secrets. */
  summary(): UserSummary[] {
    const byOwner = new Map<string, string[]>();
    for (const [id, k] of this.state.keys) byOwner.set(k.owner, [...(byOwner.get(k.owner) ?? []), id]);
    return [...this.state.users.values()].map((u) => ({
      username: u.username,
      hasPassword: u.password !== undefined,
      accessKeyIds: byOwner.get(u.username) ?? [],
      groups: u.groups,
    }));
  }

  /**
   * Checks a login. `undefined` when the user is unknown or has no password, else whether the password matches.
   */
  async checkPassword(username: string, password: string): Promise<boolean | undefined> {
    const u = this.state.users.get(username);
    if (u === undefined || u.password === undefined) return undefined;
    return verifyPassword(password, u.password);
  }

  /**
   * The user's effective policy as tinyauth merges it: the statements of each group policy, then the user's own.
   * Group order reproduces the recorded server's database order (quirk 16): the reverse of the user's `groups`
   * list. Merging uses Python's `list.extend`, so a `Statement` that is an object contributes its keys and a
   * string its characters (quirk 15); `null` or a number crashes the real server.
   */
  mergedPolicy(username: string): MergedPolicy | undefined {
    const u = this.state.users.get(username);
    if (u === undefined) return undefined;
    let m = this.merged.get(username);
    if (m === undefined) {
      m = this.merge(u);
      this.merged.set(username, m);
    }
    return m;
  }

  private merge(u: StoredUser): MergedPolicy {
    return mergePolicyDocuments(userPolicyDocuments(u, (g) => this.state.groups.get(g)));
  }

  /** The compiled merged policy of a user (cached until the next reload); throws when merging crashes. */
  policyFor(username: string): CompiledPolicy | undefined {
    let c = this.compiled.get(username);
    if (c === undefined) {
      const m = this.mergedPolicy(username);
      if (m === undefined) return undefined;
      if ('error' in m) throw new Error(m.error);
      c = compilePolicy(m);
      this.compiled.set(username, c);
    }
    return c;
  }

  /** The jwt key of a user under the server's signing key, or undefined for an unknown user. */
  userJwtKey(region: string, service: string, date: string, user: string): Buffer | undefined {
    if (!this.state.users.has(user)) return undefined;
    return jwtKey({ region, service, date, identity: user, secret: this.signingKey });
  }

  /** The key of an access key for a protocol, with its owner, or undefined for an unknown key id. */
  accessKeyFor(
    protocol: 'basic-auth' | 'jwt',
    region: string,
    service: string,
    date: string,
    keyId: string,
  ): { key: Buffer; identity: string } | undefined {
    const k = this.state.keys.get(keyId);
    if (k === undefined) return undefined;
    const key =
      protocol === 'jwt'
        ? jwtKey({ region, service, date, identity: keyId, secret: k.secret })
        : basicAuthKey({ region, service, date, keyId, secret: k.secret });
    return { key, identity: k.owner };
  }

  /** The store as a {@link KeySource} for `identify`. */
  readonly keySource: KeySource = {
    userJwtKey: (region, service, date, user) => this.userJwtKey(region, service, date, user),
    accessKey: (region, service, date, keyId) =>
      this.accessKeyFor('basic-auth', region, service, date, keyId),
  };
}
