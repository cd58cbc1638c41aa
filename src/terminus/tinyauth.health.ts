import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { TinyauthClient } from '../client/tinyauth-client';
import { TinyauthClientError } from '../client/client-errors';
import type { ResolvedTinyauthOptions } from '../options/tinyauth-options.interface';
import { TINYAUTH_OPTIONS } from '../tinyauth.constants';
import { TinyauthTelemetry, type LocalCacheAges } from '../observability/telemetry';

/** How fresh the local mode's cached signing keys or policies are. */
export type TinyauthCacheState = 'fresh' | 'stale' | 'empty';

/** What the indicator reports under its key, beside `status`. */
export interface TinyauthHealthDetails {
  /** `remote`, `cached`, `local` or `bypass`. */
  mode: string;
  /** tinyauth answered, and accepted this service's own access key. */
  reachable: boolean;
  /** Why tinyauth is not usable (absent when it is). */
  reason?: 'unreachable' | 'service key rejected';
  /** Local mode: `stale` while any key is being served past its lifetime, `empty` when none is cached. */
  keys?: TinyauthCacheState;
  /** Local mode: as `keys`, for policies. */
  policies?: TinyauthCacheState;
  /** Local mode: deciding from stale or cached-only keys and policies because tinyauth cannot be reached. */
  degraded?: boolean;
}

/** Options of {@link TinyauthHealthIndicator.isHealthy}. */
export interface TinyauthHealthOptions {
  /** Report a degraded local mode as `down` (default false: it still decides, so it stays `up`). */
  degradedIsDown?: boolean;
}

type Terminus = typeof import('@nestjs/terminus');
type Sessions = { check(key: string): { up(data: object): unknown; down(data: object): unknown } };

/**
 * A `@nestjs/terminus` health indicator for tinyauth: `up` when tinyauth answers a decision call (an empty batch,
 * which tinyauth judges without any user) with this service's own key accepted, `down` when it cannot be reached or
 * refuses the key. In local mode it also reports whether cached keys and policies are fresh or being served stale;
 * a local mode that can still decide while tinyauth is down is `up` with `degraded: true` (or `down` with
 * `degradedIsDown`). Uses Terminus 11's `HealthIndicatorService`, or Terminus 10's `HealthCheckError`.
 *
 * @example
 * \@Get('health') \@HealthCheck()
 * check() { return this.health.check([() => this.tinyauth.isHealthy('tinyauth')]); }
 */
@Injectable()
export class TinyauthHealthIndicator {
  private terminus: { module: Terminus; sessions?: Sessions } | undefined;

  constructor(
    @Inject(TINYAUTH_OPTIONS) private readonly options: ResolvedTinyauthOptions,
    private readonly client: TinyauthClient,
    private readonly telemetry: TinyauthTelemetry,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Checks tinyauth now. Resolves `{ [key]: { status, ...TinyauthHealthDetails } }`. */
  async isHealthy(key = 'tinyauth', options: TinyauthHealthOptions = {}): Promise<HealthIndicatorResult> {
    const mode = this.options.bypass ? 'bypass' : this.options.mode;
    if (this.options.bypass) return this.result(key, true, { mode, reachable: false });
    const details: TinyauthHealthDetails = { mode, reachable: true };
    try {
      await this.client.authorizeByToken({ permit: {}, headers: [], context: {} });
    } catch (err) {
      details.reachable = false;
      details.reason =
        err instanceof TinyauthClientError && err.kind === 'service-key-rejected'
          ? 'service key rejected'
          : 'unreachable';
    }
    const ages = mode === 'local' ? this.telemetry.localCacheAges() : undefined;
    if (ages === undefined) return this.result(key, details.reachable, details);
    details.keys = stateOf(ages.keys);
    details.policies = stateOf(ages.policies);
    details.degraded = !details.reachable || details.keys === 'stale' || details.policies === 'stale';
    const canDecide = details.reachable || (details.keys !== 'empty' && details.policies !== 'empty');
    return this.result(key, canDecide && !(details.degraded && options.degradedIsDown === true), details);
  }

  private result(key: string, up: boolean, details: TinyauthHealthDetails): HealthIndicatorResult {
    const { module, sessions } = this.loadTerminus();
    if (sessions !== undefined) {
      const session = sessions.check(key);
      return (up ? session.up(details) : session.down(details)) as HealthIndicatorResult;
    }
    const result = { [key]: { status: up ? 'up' : 'down', ...details } } as HealthIndicatorResult;
    if (!up) throw new module.HealthCheckError('tinyauth is not usable', result);
    return result;
  }

  private loadTerminus(): { module: Terminus; sessions?: Sessions } {
    if (this.terminus !== undefined) return this.terminus;
    let module: Terminus;
    try {
      // An optional peer: only applications that use this indicator need it installed.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      module = require('@nestjs/terminus') as Terminus;
    } catch {
      throw new Error('TinyauthHealthIndicator needs @nestjs/terminus: npm install @nestjs/terminus');
    }
    let sessions: Sessions | undefined;
    if ('HealthIndicatorService' in module) {
      try {
        sessions = this.moduleRef.get(module.HealthIndicatorService, { strict: false });
      } catch {
        sessions = undefined;
      }
    }
    return (this.terminus = { module, sessions });
  }
}

function stateOf(ages: LocalCacheAges['keys']): TinyauthCacheState {
  if (ages.oldestStaleAgeMs !== undefined) return 'stale';
  return ages.oldestFreshAgeMs !== undefined ? 'fresh' : 'empty';
}
