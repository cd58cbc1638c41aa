import { hash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { credentialParts } from '../../cache/decision-key';
import { withSharedFetched, type FetchedSource, type SharedFetchedTier } from '../../cache/shared-fetched';
import { TtlLruCache } from '../../cache/ttl-lru';
import { DEFAULT_KEY_CACHE_MAX_MS } from '../../options/resolve-options';
import {
  compilePolicy,
  identify,
  jwtExpiry,
  PolicyError,
  sessionCookieOf,
  type SessionCookie,
  utcDateStamp,
  type CompiledPolicy,
  type KeySource,
} from '../../core';
import type { TinyauthClient } from '../../client/tinyauth-client';
import type { RequestFacts } from '../../request/request-facts';
import type { Authorizer } from '../authorizer.interface';
import { groupChecks, type TinyauthCheck, type TinyauthDecision } from '../../decision';
import { decisionContext } from '../request-context';
import {
  FetchedCache,
  Undecidable,
  type FetchedCacheOptions,
  type FetchedCacheSnapshot,
} from './fetched-cache';
import { TinyauthSource, type SigningToken } from './tinyauth-source';
import { PolicyLintLog } from './policy-lint-log';

/** Settings of the local strategy. */
export interface LocalAuthorizerOptions {
  service: string;
  cacheMaxEntries: number;
  maxStaleMs: number;
  negativeCacheTtlMs: number;
  /** Longest a fetched signing key is trusted (default 5 minutes), whatever tinyauth's Cache-Control grants. */
  keyCacheMaxMs?: number;
  /** For the lint of fetched policies: the ARN partition and the context keys the app sends. */
  partition?: string;
  contextKeys?: readonly string[];
  /** A store shared by the service's replicas for the keys and policies fetched (see `SharedFetchedSource`). */
  sharedFetched?: SharedFetchedTier;
}

/** Key derivation region: flask_tinyauth sends no region, so tinyauth derives every key for `global`. */
const REGION = 'global';
/** Verified credentials are reused at most this long, whatever the key's own lifetime. */
const MAX_VERIFIED_MS = 60_000;
const LOG_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;

interface Verified {
  identity: string;
  mfa: unknown;
}

/** Whether a decision used a key or policy past its lifetime (tinyauth unavailable). */
interface Staleness {
  stale: boolean;
}

/** The ages of what the local caches hold (see `FetchedCacheSnapshot`), signing keys and policies apart. */
export interface LocalCacheSnapshot {
  keys: FetchedCacheSnapshot;
  policies: FetchedCacheSnapshot;
}

/**
 * `mode: 'local'`: decides in-process as tinyauth's own proxy mode does. Signing keys (per user or access key and
 * date) and user policies are fetched from tinyauth and cached as long as its Expires/Cache-Control allow;
 * credentials are verified in constant time by the core's `identify`, and the merged policy, compiled once per
 * fetch, is evaluated here. Whatever it cannot decide exactly as tinyauth would (tinyauth's 500 cases, policy
 * errors, tinyauth unreachable with nothing usable cached) goes to the remote strategy, which fails closed.
 */
export class LocalAuthorizer implements Authorizer {
  private readonly logger = new Logger('Tinyauth');
  private readonly source: FetchedSource;
  private readonly userKeys: FetchedCache<SigningToken>;
  private readonly accessKeys: FetchedCache<SigningToken>;
  private readonly policies: FetchedCache<CompiledPolicy>;
  /** Hash of the credential headers and date -> who they proved to be, so a hit costs one SHA-256. */
  private readonly verified: TtlLruCache<string, Verified>;
  private readonly permitPrefix: string;
  private lastFallbackLog = 0;
  private day = { start: -Infinity, stamp: '' };

  constructor(
    client: TinyauthClient,
    private readonly remote: Authorizer,
    private readonly options: LocalAuthorizerOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.source = withSharedFetched(
      new TinyauthSource(
        client,
        REGION,
        options.service,
        options.keyCacheMaxMs ?? DEFAULT_KEY_CACHE_MAX_MS,
        new PolicyLintLog(options).check,
      ),
      options.sharedFetched,
      now,
    );
    const cacheOptions: FetchedCacheOptions = {
      maxEntries: options.cacheMaxEntries,
      maxStaleMs: options.maxStaleMs,
      negativeTtlMs: options.negativeCacheTtlMs,
      now,
    };
    this.userKeys = new FetchedCache(cacheOptions);
    this.accessKeys = new FetchedCache(cacheOptions);
    this.policies = new FetchedCache(cacheOptions);
    this.verified = new TtlLruCache(options.cacheMaxEntries, now);
    this.permitPrefix = `${options.service}:`;
  }

  async authorize(
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    // A session cookie read inexactly (non-ASCII bytes) is left to tinyauth, which fails closed from there.
    const session = sessionCookieOf(facts.headers);
    if (checks.length === 0 || !session.exact) return this.remote.authorize(facts, checks, context);
    try {
      // Hot path without a single await: verified credentials and a fresh policy are both in memory.
      const now = this.now();
      const memoKey = credentialKey(facts.headers, session, this.dateOf(now));
      const used: Staleness = { stale: false };
      const who =
        (memoKey === undefined ? undefined : this.verified.get(memoKey)) ??
        (await this.identify(facts, session, now, memoKey, used));
      if ('errorCode' in who) {
        // tinyauth checks identity per pair: an identity failure refuses every pair with that code.
        return {
          authorized: false,
          errorCode: who.errorCode,
          permitted: {},
          notPermitted: groupChecks(checks),
          source: used.stale ? 'stale' : 'local',
        };
      }
      const policyKey = `${this.options.service}\0${who.identity}`;
      const policy =
        this.policies.peekFresh(policyKey)?.value ?? (await this.policyOf(policyKey, who.identity, used));
      const decision = this.evaluate(policy, who, facts, checks, context);
      decision.source = used.stale ? 'stale' : 'local';
      return decision;
    } catch (err) {
      // Undecidable here, a PolicyError (tinyauth answers 500) or anything unforeseen: tinyauth decides, and the
      // remote strategy fails closed if it cannot.
      this.reportFallback(err);
      return this.remote.authorize(facts, checks, context);
    }
  }

  /** The ages of the cached signing keys and policies (for metrics and health checks). */
  cacheSnapshot(): LocalCacheSnapshot {
    const users = this.userKeys.snapshot();
    const accessKeys = this.accessKeys.snapshot();
    const older = (a?: number, b?: number): number | undefined =>
      a === undefined ? b : b === undefined ? a : Math.max(a, b);
    return {
      keys: {
        oldestFreshAgeMs: older(users.oldestFreshAgeMs, accessKeys.oldestFreshAgeMs),
        oldestStaleAgeMs: older(users.oldestStaleAgeMs, accessKeys.oldestStaleAgeMs),
      },
      policies: this.policies.snapshot(),
    };
  }

  /** Every (action, resource) pair on its own, in request order, as the batch endpoint does. */
  private evaluate(
    policy: CompiledPolicy,
    who: Verified,
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): TinyauthDecision {
    const permit = groupChecks(checks);
    const ctx = decisionContext(facts, context === undefined ? undefined : jsonCopy(context));
    ctx.Mfa = who.mfa;
    const permitted: Record<string, string[]> = {};
    const notPermitted: Record<string, string[]> = {};
    let anyPermitted = false;
    let anyRefused = false;
    for (const action of Object.keys(permit)) {
      const name = `${this.permitPrefix}${action}`;
      for (const resource of permit[action]) {
        if (policy.evaluate(name, resource, ctx) === 'Allow') {
          (permitted[action] ??= []).push(resource);
          anyPermitted = true;
        } else {
          (notPermitted[action] ??= []).push(resource);
          anyRefused = true;
        }
      }
    }
    const authorized = anyPermitted && !anyRefused;
    return authorized
      ? { authorized, identity: who.identity, permitted, notPermitted }
      : { authorized, errorCode: 'NotPermitted', permitted, notPermitted };
  }

  /** `YYYYMMDD` (UTC) of `now`, recomputed once a day rather than on every request. */
  private dateOf(now: number): string {
    if (now < this.day.start || now >= this.day.start + DAY_MS) {
      const start = now - (now % DAY_MS);
      this.day = { start, stamp: utcDateStamp(new Date(start)) };
    }
    return this.day.stamp;
  }

  /** Runs tinyauth's identify with keys from the caches, and remembers a success as long as its keys allow. */
  private async identify(
    facts: RequestFacts,
    session: SessionCookie,
    now: number,
    memoKey: string | undefined,
    used: Staleness,
  ): Promise<Verified | { errorCode: string }> {
    let validUntil = now + MAX_VERIFIED_MS;
    const bound = (found: { freshUntil: number; stale?: boolean }): void => {
      validUntil = Math.min(validUntil, found.freshUntil);
      if (found.stale === true) used.stale = true;
    };
    const keys: KeySource = {
      userJwtKey: async (region, service, keyDate, user) => {
        const found = await this.userKeys.get(`${service}\0${keyDate}\0${user}`, () =>
          this.source.userSigningToken(user, keyDate),
        );
        bound(found);
        return found.value?.key;
      },
      accessKey: async (region, service, keyDate, keyId) => {
        const found = await this.accessKeys.get(`${service}\0${keyDate}\0${keyId}`, () =>
          this.source.accessKeySigningToken(keyId, keyDate),
        );
        bound(found);
        return found.value;
      },
    };
    const result = await identify(facts.headers, REGION, this.options.service, keys, new Date(now));
    if (!result.ok) {
      if ('serverError' in result) {
        throw new Undecidable('tinyauth would fail on these credentials (HTTP 500)');
      }
      return { errorCode: result.errorCode };
    }
    const verified = { identity: result.identity, mfa: result.mfa };
    const exp = sessionExpiry(session);
    if (exp !== undefined) bound({ freshUntil: exp });
    if (memoKey !== undefined) this.verified.set(memoKey, verified, validUntil - now);
    return verified;
  }

  private async policyOf(key: string, user: string, used: Staleness): Promise<CompiledPolicy> {
    const found = await this.policies.get(key, async () => {
      const fetched = await this.source.userPolicies(user);
      // Compiled once per fetch; every request then only evaluates.
      return fetched.kind === 'found' ? { ...fetched, value: compilePolicy(fetched.value) } : fetched;
    });
    if (found.value === undefined) throw new Undecidable('no policy for an identified user');
    if (found.stale === true) used.stale = true;
    return found.value;
  }

  private reportFallback(err: unknown): void {
    const now = Date.now();
    if (this.lastFallbackLog + LOG_INTERVAL_MS > now) return;
    this.lastFallbackLog = now;
    // Undecidable messages are ours and safe. A PolicyError's text quotes context values (request data), so it is
    // named by its type only, like anything else.
    const reason =
      err instanceof Undecidable
        ? err.message
        : err instanceof PolicyError
          ? `policy error: ${err.pythonType}`
          : err instanceof Error
            ? err.name
            : 'error';
    this.logger.warn(`local decision not possible (${reason}); asking tinyauth instead`);
  }
}

/** Callers' extra context goes to tinyauth as JSON: evaluate exactly what JSON would carry. */
function jsonCopy(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
}

/**
 * A SHA-256 of everything identify reads (the same credential-bearing headers the cached mode keys on) and the UTC
 * date; undefined when there is no credential at all (nothing worth caching).
 */
function credentialKey(
  headers: ReadonlyArray<readonly [string, string]>,
  session: SessionCookie,
  date: string,
): string | undefined {
  const parts = credentialParts(headers, session);
  if (parts.length === 0) return undefined;
  return hash('sha256', JSON.stringify([date, parts]), 'base64');
}

/** Epoch ms of the `exp` of the session token identify verified; undefined when there is none or it has no `exp`. */
function sessionExpiry({ token }: SessionCookie): number | undefined {
  const exp = token === undefined ? undefined : jwtExpiry(token);
  return exp === undefined ? undefined : exp * 1000;
}
