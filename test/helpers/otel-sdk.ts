/**
 * The real OpenTelemetry SDK, registered globally as an application would: spans kept in memory (SimpleSpanProcessor
 * + InMemorySpanExporter), an AsyncLocalStorage context manager, and a meter provider read on demand. Plus a Nest
 * middleware that opens a SERVER span per request, standing in for an HTTP instrumentation, so the library's spans
 * have a request span to hang under.
 */
import { Injectable, Module, type MiddlewareConsumer, type NestMiddleware, type Type } from '@nestjs/common';
import { context, metrics, SpanKind, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/** A metric reader that only collects when asked. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface OtelSdk {
  /** Finished spans since the last reset. */
  spans(): ReadableSpan[];
  /** Forgets the spans and installs a new meter provider (counters start from zero). */
  reset(): void;
  /** Every metric recorded since the last reset, by name. */
  collect(): Promise<Map<string, MetricData>>;
}

/** Registers the SDK globally (once per test file). */
export function installOtelSdk(): OtelSdk {
  const exporter = new InMemorySpanExporter();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  let reader = new OnDemandReader();
  const installMeter = (): void => {
    metrics.disable();
    reader = new OnDemandReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  };
  installMeter();
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => {
      exporter.reset();
      installMeter();
    },
    collect: async () => {
      const { resourceMetrics } = await reader.collect();
      const out = new Map<string, MetricData>();
      for (const scope of resourceMetrics.scopeMetrics)
        for (const metric of scope.metrics) out.set(metric.descriptor.name, metric);
      return out;
    },
  };
}

/** The value of the data point whose attributes include `match` (sum, gauge value, or histogram count). */
export function pointValue(metric: MetricData | undefined, match: Attributes = {}): number | undefined {
  const points = (metric?.dataPoints ?? []) as Array<DataPoint<number | Histogram>>;
  const point = points.find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  if (point === undefined) return undefined;
  return typeof point.value === 'number' ? point.value : point.value.count;
}

/** Opens a SERVER span `HTTP <method>` around every request, as an HTTP instrumentation would. */
@Injectable()
class RequestSpanMiddleware implements NestMiddleware {
  use(
    req: { method?: string },
    res: { on(event: 'finish' | 'close', fn: () => void): void },
    next: () => void,
  ) {
    const span = trace
      .getTracer('test-http')
      .startSpan(`HTTP ${req.method ?? 'GET'}`, { kind: SpanKind.SERVER });
    let ended = false;
    const end = (): void => {
      if (!ended) span.end();
      ended = true;
    };
    res.on('finish', end);
    res.on('close', end);
    context.with(trace.setSpan(context.active(), span), next);
  }
}

/** `inner` with the request-span middleware applied to every route. */
export function withRequestSpans(inner: Type<unknown>): Type<unknown> {
  @Module({ imports: [inner] })
  class TracedAppModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(RequestSpanMiddleware).forRoutes('*');
    }
  }
  return TracedAppModule;
}
