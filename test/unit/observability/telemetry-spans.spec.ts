import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { TinyauthTelemetry } from '../../../src/observability/telemetry';

describe('TinyauthTelemetry decision spans', () => {
  it('without an SDK, runs the decision as it is: the no-op span changes no context', async () => {
    const telemetry = new TinyauthTelemetry();
    const span = telemetry.startDecisionSpan('cached');
    expect(span).toBeDefined();
    const outer = context.active();
    const inner = await telemetry.withSpan(span!, () => Promise.resolve(context.active()));
    expect(inner).toBe(outer);
    telemetry.recordDecision(span, 'cached', { authorized: true, permitted: {}, notPermitted: {} }, 1, 0.001);
  });

  describe('with an SDK that samples every span out', () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    const provider = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    beforeAll(() => {
      context.setGlobalContextManager(manager);
      trace.setGlobalTracerProvider(provider);
    });
    afterAll(async () => {
      trace.disable();
      context.disable();
      await provider.shutdown();
    });

    it('still makes the (non-recording) decision span the active one, so its trace context reaches tinyauth calls', async () => {
      const telemetry = new TinyauthTelemetry();
      const span = telemetry.startDecisionSpan('remote') as unknown as {
        isRecording(): boolean;
        spanContext(): { spanId: string };
      };
      expect(span.isRecording()).toBe(false);
      const active = await telemetry.withSpan(span as never, () =>
        Promise.resolve(trace.getActiveSpan()?.spanContext().spanId),
      );
      expect(active).toBe(span.spanContext().spanId);
    });
  });
});
