import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type {
  Attributes,
  Counter,
  Histogram,
  Meter,
  MeterProvider,
  ObservableGauge,
  ObservableResult,
  Span,
  Tracer,
} from '@opentelemetry/api';
import type { TinyauthDecision } from '../decision';
import type { TinyauthDecisionOutcome } from '../decision-event';
import { otelApi, type OtelApiModule } from './otel';

/**
 * A `tinyauth.authorize` span, opaque outside this file so no public declaration names an OpenTelemetry type (the
 * API is an optional peer: applications without it must still type-check against this package).
 */
export type DecisionSpan = { readonly __brand: 'DecisionSpan' };

/** Name of the tracer and meter (OpenTelemetry's instrumentation scope). */
export const INSTRUMENTATION_SCOPE = 'nestjs-tinyauth';

/** Ages in ms of the oldest fresh entry and of the oldest entry being served stale, per local cache. */
export interface LocalCacheAges {
  keys: { oldestFreshAgeMs?: number; oldestStaleAgeMs?: number };
  policies: { oldestFreshAgeMs?: number; oldestStaleAgeMs?: number };
}

// Bucket bounds in seconds: a local or cached decision takes microseconds, a round trip milliseconds.
const DURATION_BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1, 2.5, 5, 10,
];

interface Instruments {
  provider: MeterProvider;
  decisions: Counter;
  duration: Histogram;
  cacheHits: Counter;
  cacheMisses: Counter;
  gauges: Array<[ObservableGauge, (result: ObservableResult) => void]>;
}

/** The outcome a decision maps to: allowed, refused, or not decided (tinyauth failed). */
export function outcomeOf(decision: TinyauthDecision): TinyauthDecisionOutcome {
  if (decision.authorized === true) return 'allow';
  return decision.errorCode === 'TinyauthUnavailable' ? 'error' : 'deny';
}

/**
 * The OpenTelemetry side of the module: spans and metrics through `@opentelemetry/api` when it is installed (an
 * optional peer), whatever SDK the application registered, or none (then every call is the API's no-op). The
 * meter is looked up again whenever the global meter provider changes, so an SDK registered after the module
 * started is picked up too. Also tracks whether tinyauth answered the last call, for the reachable gauge.
 */
@Injectable()
export class TinyauthTelemetry implements OnModuleDestroy {
  private readonly api: OtelApiModule | undefined = otelApi();
  private readonly tracer: Tracer | undefined = this.api?.trace.getTracer(INSTRUMENTATION_SCOPE);
  private instruments: Instruments | undefined;
  private reachable: boolean | undefined;
  private localCaches: (() => LocalCacheAges) | undefined;

  /** True when `@opentelemetry/api` is installed (spans and metrics are then recorded, or no-ops without an SDK). */
  get enabled(): boolean {
    return this.api !== undefined;
  }

  /** Whether tinyauth answered the last call (any HTTP status below 500); undefined before the first call. */
  get tinyauthReachable(): boolean | undefined {
    return this.reachable;
  }

  /** The local mode's cache ages, when it runs in local mode. */
  localCacheAges(): LocalCacheAges | undefined {
    return this.localCaches?.();
  }

  /** Reports the local mode's cache ages through the `tinyauth.local.*.age` gauges. */
  watchLocalCaches(snapshot: () => LocalCacheAges): void {
    this.localCaches = snapshot;
  }

  /** Counts a decision-cache lookup. */
  readonly cacheLookup = (hit: boolean): void => {
    const instruments = this.meter();
    if (instruments === undefined) return;
    (hit ? instruments.cacheHits : instruments.cacheMisses).add(1);
  };

  /** Starts the `tinyauth.authorize` span of one decision as a child of the active span. */
  startDecisionSpan(mode: string): DecisionSpan | undefined {
    const span = this.tracer?.startSpan('tinyauth.authorize', {
      kind: this.api!.SpanKind.INTERNAL,
      attributes: { 'tinyauth.mode': mode },
    });
    return span as unknown as DecisionSpan | undefined;
  }

  /**
   * Runs `fn` with `span` as the active span, so the calls to tinyauth it makes become its children. A span that
   * records nothing and carries no span context of its own (the API's no-op tracer, without an SDK: none, or the
   * active one) would change nothing as the active span, so `fn` then runs as it is.
   */
  withSpan<T>(span: DecisionSpan, fn: () => Promise<T>): Promise<T> {
    const { context, trace } = this.api!;
    const real = span as unknown as Span;
    if (!real.isRecording()) {
      const own = real.spanContext();
      if (!trace.isSpanContextValid(own)) return fn();
      const active = trace.getSpanContext(context.active());
      if (active !== undefined && active.spanId === own.spanId && active.traceId === own.traceId) return fn();
    }
    return context.with(trace.setSpan(context.active(), real), fn);
  }

  /** Ends a decision's span and records its metrics. */
  recordDecision(
    decisionSpan: DecisionSpan | undefined,
    mode: string,
    decision: TinyauthDecision,
    checks: number,
    seconds: number,
  ): void {
    const outcome = outcomeOf(decision);
    const source = decision.source ?? 'tinyauth';
    const span = decisionSpan as unknown as Span | undefined;
    // A span that is not recording drops attributes and status anyway: only end it.
    if (span !== undefined && !span.isRecording()) span.end();
    else if (span !== undefined) {
      const attributes: Attributes = {
        'tinyauth.source': source,
        'tinyauth.outcome': outcome,
        'tinyauth.checks.count': checks,
      };
      if (decision.errorCode !== undefined) attributes['tinyauth.error_code'] = decision.errorCode;
      if (decision.authorized === true && decision.identity !== undefined)
        attributes['enduser.id'] = decision.identity;
      span.setAttributes(attributes);
      if (outcome === 'error')
        span.setStatus({ code: this.api!.SpanStatusCode.ERROR, message: 'TinyauthUnavailable' });
      span.end();
    }
    const instruments = this.meter();
    if (instruments === undefined) return;
    const attributes = { 'tinyauth.outcome': outcome, 'tinyauth.mode': mode, 'tinyauth.source': source };
    instruments.decisions.add(1, attributes);
    instruments.duration.record(seconds, attributes);
  }

  /** Ends a decision's span when deciding threw (a custom authorizer's bug): the error is recorded, not its text. */
  failDecision(decisionSpan: DecisionSpan | undefined, err: unknown): void {
    const span = decisionSpan as unknown as Span | undefined;
    if (span === undefined) return;
    span.setAttribute('error.type', err instanceof Error ? err.name : 'error');
    span.setStatus({ code: this.api!.SpanStatusCode.ERROR });
    span.end();
  }

  /**
   * Runs one HTTP call to tinyauth inside a CLIENT span (HTTP semantic conventions). `base` (the endpoint) must not
   * hold credentials; `path` is resolved against it. Notes whether tinyauth answered.
   */
  async traceCall<T extends { status: number }>(
    method: string,
    base: string,
    path: string,
    call: () => Promise<T>,
  ): Promise<T> {
    if (this.tracer === undefined) return this.noteAnswer(call);
    const { SpanKind, SpanStatusCode, context, trace } = this.api!;
    const url = new URL(path, base);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const span = this.tracer.startSpan(method, {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'url.full': url.href,
        'server.address': url.hostname,
        'server.port': port,
      },
    });
    try {
      const answer = await context.with(trace.setSpan(context.active(), span), () => this.noteAnswer(call));
      span.setAttribute('http.response.status_code', answer.status);
      if (answer.status >= 500) {
        span.setAttribute('error.type', String(answer.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return answer;
    } catch (err) {
      const kind = (err as { kind?: unknown } | null)?.kind;
      span.setAttribute('error.type', typeof kind === 'string' ? kind : 'error');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  }

  onModuleDestroy(): void {
    this.dropGauges();
  }

  private async noteAnswer<T extends { status: number }>(call: () => Promise<T>): Promise<T> {
    try {
      const answer = await call();
      this.reachable = answer.status < 500;
      return answer;
    } catch (err) {
      this.reachable = false;
      throw err;
    }
  }

  /** The instruments on the current global meter provider (created again when it changed). */
  private meter(): Instruments | undefined {
    const provider = this.api?.metrics.getMeterProvider();
    if (provider === undefined) return undefined;
    if (this.instruments?.provider !== provider) this.instruments = this.createInstruments(provider);
    return this.instruments;
  }

  private createInstruments(provider: MeterProvider): Instruments {
    this.dropGauges();
    const meter: Meter = provider.getMeter(INSTRUMENTATION_SCOPE);
    const gauges: Instruments['gauges'] = [];
    const gauge = (
      name: string,
      description: string,
      unit: string,
      observe: (r: ObservableResult) => void,
    ) => {
      const instrument = meter.createObservableGauge(name, { description, unit });
      instrument.addCallback(observe);
      gauges.push([instrument, observe]);
    };
    gauge('tinyauth.reachable', 'Whether tinyauth answered the last call (1) or not (0)', '1', (result) => {
      if (this.reachable !== undefined) result.observe(this.reachable ? 1 : 0);
    });
    const age = (kind: 'keys' | 'policies') => (result: ObservableResult) => {
      const ages = this.localCaches?.()[kind];
      if (ages?.oldestFreshAgeMs !== undefined)
        result.observe(ages.oldestFreshAgeMs / 1000, { 'tinyauth.cache.state': 'fresh' });
      if (ages?.oldestStaleAgeMs !== undefined)
        result.observe(ages.oldestStaleAgeMs / 1000, { 'tinyauth.cache.state': 'stale' });
    };
    gauge('tinyauth.local.keys.age', 'Local mode: age of the oldest cached signing key', 's', age('keys'));
    gauge('tinyauth.local.policies.age', 'Local mode: age of the oldest cached policy', 's', age('policies'));
    return {
      provider,
      decisions: meter.createCounter('tinyauth.decisions', {
        description: 'Authorization decisions',
        unit: '{decision}',
      }),
      duration: meter.createHistogram('tinyauth.decision.duration', {
        description: 'Time taken to reach a decision',
        unit: 's',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      }),
      cacheHits: meter.createCounter('tinyauth.cache.hits', {
        description: 'Cached mode: decisions answered from the cache',
        unit: '{lookup}',
      }),
      cacheMisses: meter.createCounter('tinyauth.cache.misses', {
        description: 'Cached mode: cacheable decisions not found in the cache',
        unit: '{lookup}',
      }),
      gauges,
    };
  }

  private dropGauges(): void {
    for (const [instrument, observe] of this.instruments?.gauges ?? []) instrument.removeCallback(observe);
    if (this.instruments !== undefined) this.instruments.gauges = [];
  }
}
