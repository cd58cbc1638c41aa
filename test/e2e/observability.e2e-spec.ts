/**
 * Decision events, spans and metrics with the real OpenTelemetry SDK, over real HTTP on Express and Fastify, in
 * every mode, for one known sequence: allows (a cache hit among them in cached mode), a 403, a 401, then a tinyauth
 * outage (the compatible server closed) with a 503, and in local mode a stale answer.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import type { TinyauthDecisionEvent, TinyauthModuleOptions } from 'nestjs-tinyauth';
import { ADAPTERS, MemoryLogger, startApp, type RunningApp } from '../helpers/http-apps';
import { guardAppModule } from '../helpers/guard-app';
import { ALICE_KEY, BOB_KEY, SERVICE_KEY, basic, guardFixture } from '../helpers/guard-fixture';
import { freezeClock } from '../helpers/frozen-clock';
import { installOtelSdk, pointValue, withRequestSpans } from '../helpers/otel-sdk';

const sdk = installOtelSdk();
// Each step starts 10 ms after the previous one, whatever the machine's speed: alice's 1 ms key has always expired.
const clock = freezeClock(Date.now());
afterAll(() => clock.restore());
const ARN = (rest: string): string => `arn:tinyauth:test:default::${rest}`;

type Mode = 'remote' | 'cached' | 'local';

interface Step {
  path: string;
  headers: Record<string, string>;
  status: number;
  source: string;
  /** Decision cache lookup, cached mode only. */
  hit?: boolean;
  /** The calls to tinyauth beneath the decision's span, in order: answered or failed. */
  calls: Array<'POST' | 'GET' | 'POST failed' | 'GET failed'>;
}

/** The sequence for each mode, and what each step must be answered from. */
function steps(mode: Mode): { before: Step[]; after: Step[] } {
  const alice = { Authorization: basic(ALICE_KEY) };
  const local = mode === 'local';
  const fresh = local ? 'local' : 'tinyauth';
  return {
    before: [
      {
        path: '/apples/fred',
        headers: { ...alice, 'X-Request-Id': 'req-0001' },
        status: 200,
        source: fresh,
        // local: alice's signing key, then her policy
        calls: local ? ['GET', 'GET'] : ['POST'],
      },
      {
        path: '/apples/fred',
        headers: alice,
        status: 200,
        source: mode === 'cached' ? 'cache' : fresh,
        hit: true,
        // local: her key lives 1 ms (keyCacheMaxMs), her policy 60 s
        calls: mode === 'cached' ? [] : local ? ['GET'] : ['POST'],
      },
      {
        path: '/apples',
        headers: { Authorization: basic(BOB_KEY) },
        status: 403,
        source: fresh,
        calls: local ? ['GET', 'GET'] : ['POST'],
      },
      { path: '/apples/fred', headers: {}, status: 401, source: fresh, calls: local ? [] : ['POST'] },
    ],
    after:
      mode === 'remote'
        ? [{ path: '/apples/fred', headers: alice, status: 503, source: 'tinyauth', calls: ['POST failed'] }]
        : mode === 'cached'
          ? [
              { path: '/apples/fred', headers: alice, status: 200, source: 'cache', hit: true, calls: [] },
              {
                path: '/apples/jim',
                headers: alice,
                status: 503,
                source: 'tinyauth',
                calls: ['POST failed'],
              },
            ]
          : [
              // alice's key outlived its 1 ms lifetime: served stale while tinyauth is down.
              { path: '/apples/fred', headers: alice, status: 200, source: 'stale', calls: ['GET failed'] },
              // a key never fetched: nothing to stand in, and the remote path cannot reach tinyauth either.
              {
                path: '/apples/fred',
                headers: { Authorization: basic({ id: 'AKNOBODY', secret: 'x' }) },
                status: 503,
                source: 'tinyauth',
                calls: ['GET failed', 'POST failed'],
              },
            ],
  };
}

const outcomeOf = (status: number): string => (status === 200 ? 'allow' : status === 503 ? 'error' : 'deny');
const children = (spans: ReadableSpan[], parent: ReadableSpan): ReadableSpan[] =>
  spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

describe.each(ADAPTERS)('observability on %s', (adapter) => {
  describe.each<Mode>(['remote', 'cached', 'local'])('in %s mode', (mode) => {
    let tinyauth: TinyauthServer;
    let app: RunningApp;
    const events: TinyauthDecisionEvent[] = [];
    const logger = new MemoryLogger();
    const sequence = steps(mode);

    beforeAll(async () => {
      sdk.reset();
      tinyauth = await startTinyauthServer({ fixture: guardFixture });
      const options: TinyauthModuleOptions = {
        endpoint: tinyauth.url,
        accessKeyId: SERVICE_KEY.id,
        secretAccessKey: SERVICE_KEY.secret,
        service: 'test',
        mode,
        keyCacheMaxMs: 1,
        auditLog: true,
        onDecision: (event) => void events.push(event),
      };
      app = await startApp(adapter, withRequestSpans(guardAppModule(options)), { logger });
    });
    afterAll(async () => {
      await app.close();
      // Closed already by the outage, unless a step failed before it.
      await tinyauth.close().catch(() => undefined);
    });

    it('answers the sequence, then fails closed or serves what it may during an outage', async () => {
      for (const step of sequence.before) {
        clock.advance(10);
        const res = await fetch(`${app.url}${step.path}`, { headers: step.headers });
        expect(`${step.path} ${res.status}`).toBe(`${step.path} ${step.status}`);
      }
      await tinyauth.close();
      for (const step of sequence.after) {
        clock.advance(10);
        const res = await fetch(`${app.url}${step.path}`, { headers: step.headers });
        expect(`${step.path} ${res.status}`).toBe(`${step.path} ${step.status}`);
      }
    });

    it('delivers one event per decision with every field', () => {
      const all = [...sequence.before, ...sequence.after];
      expect(events).toHaveLength(all.length);
      events.forEach((event, i) => {
        const step = all[i];
        const resource = ARN(step.path === '/apples' ? 'apples/' : `apples/${step.path.split('/')[2]}`);
        const action = step.path === '/apples' ? 'ListApples' : 'GetApple';
        expect(event).toEqual({
          time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          requestId: i === 0 ? 'req-0001' : expect.stringMatching(/^[0-9a-f-]{36}$/),
          transport: 'http',
          route: step.path === '/apples' ? 'ApplesController.list' : 'ApplesController.get',
          mode,
          source: step.source,
          identity: step.status === 200 ? 'alice' : null,
          checks: [{ action, resource, result: step.status === 200 ? 'allow' : 'deny' }],
          outcome: outcomeOf(step.status),
          status: step.status,
          errorCode:
            step.status === 200
              ? null
              : step.status === 401
                ? step.headers.Authorization
                  ? 'NoSuchKey'
                  : 'UnsignedRequest'
                : step.status === 403
                  ? 'NotPermitted'
                  : 'TinyauthUnavailable',
          latencyMs: expect.any(Number),
        });
        expect(event.latencyMs).toBeGreaterThan(0);
        expect(Date.parse(event.time)).not.toBeNaN();
      });
    });

    it('writes the same events as JSON lines to the audit log', () => {
      const audit = logger.lines.filter((l) => l.startsWith('LOG {')).map((l) => JSON.parse(l.slice(4)));
      expect(audit).toEqual(events);
    });

    it('makes one tinyauth.authorize span per decision under the request span, with the calls beneath it', () => {
      const spans = sdk.spans();
      const local = mode === 'local';
      const requests = spans.filter((s) => s.name.startsWith('HTTP '));
      const decisions = spans.filter((s) => s.name === 'tinyauth.authorize');
      const all = [...sequence.before, ...sequence.after];
      expect(requests).toHaveLength(all.length);
      expect(decisions).toHaveLength(all.length);
      // Finished in request order (each request ends after its decision).
      decisions.forEach((span, i) => {
        const step = all[i];
        expect(span.kind).toBe(SpanKind.INTERNAL);
        expect(requests.map((r) => r.spanContext().spanId)).toContain(span.parentSpanContext?.spanId);
        expect(span.spanContext().traceId).toBe(
          requests.find((r) => r.spanContext().spanId === span.parentSpanContext?.spanId)!.spanContext()
            .traceId,
        );
        const expected: Record<string, unknown> = {
          'tinyauth.mode': mode,
          'tinyauth.source': step.source,
          'tinyauth.outcome': outcomeOf(step.status),
          'tinyauth.checks.count': 1,
        };
        if (step.status === 200) expected['enduser.id'] = 'alice';
        else expected['tinyauth.error_code'] = events[i].errorCode;
        expect(span.attributes).toEqual(expected);
        expect(span.status.code).toBe(step.status === 503 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);

        const calls = children(spans, span);
        for (const call of calls) {
          expect(call.kind).toBe(SpanKind.CLIENT);
          expect(call.spanContext().traceId).toBe(span.spanContext().traceId);
          const url = new URL(String(call.attributes['url.full']));
          expect(call.attributes).toMatchObject({
            'http.request.method': call.name,
            'server.address': '127.0.0.1',
            'server.port': Number(url.port),
          });
          expect(`${url.protocol}//${url.host}/`).toBe(tinyauth.url);
        }
        const shown = calls
          .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
          .map((c) => {
            if (c.status.code !== SpanStatusCode.ERROR) {
              expect(c.attributes['http.response.status_code']).toBe(200);
              return c.name;
            }
            expect(c.attributes['error.type']).toBe('connection');
            return `${c.name} failed`;
          });
        expect([i, shown]).toEqual([i, step.calls]);
        if (!local && step.calls.length > 0) {
          expect(String(calls[0].attributes['url.full'])).toBe(
            `${tinyauth.url}api/v1/services/test/authorize-by-token`,
          );
        }
      });
      if (mode === 'local') {
        // The first decision fetched alice's signing key and her policy from tinyauth, beneath its span.
        const first = children(spans, decisions[0]).map((c) => String(c.attributes['url.full']));
        expect(first).toEqual([
          expect.stringMatching(/\/access-key-signing-tokens\/AKALICE\/basic-auth\/\d{8}$/),
          `${tinyauth.url}api/v1/regions/global/services/test/user-policies/alice`,
        ]);
      }
    });

    it('counts decisions by outcome, mode and source, times them, and reports tinyauth unreachable', async () => {
      const metrics = await sdk.collect();
      const all = [...sequence.before, ...sequence.after];
      const expected = new Map<string, number>();
      for (const step of all) {
        const key = `${outcomeOf(step.status)}|${step.source}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const decisions = metrics.get('tinyauth.decisions');
      expect(decisions?.descriptor.unit).toBe('{decision}');
      expect(decisions?.dataPoints).toHaveLength(expected.size);
      for (const [key, count] of expected) {
        const [outcome, source] = key.split('|');
        const match = { 'tinyauth.outcome': outcome, 'tinyauth.mode': mode, 'tinyauth.source': source };
        expect([key, pointValue(decisions, match)]).toEqual([key, count]);
        expect([key, pointValue(metrics.get('tinyauth.decision.duration'), match)]).toEqual([key, count]);
      }
      expect(metrics.get('tinyauth.decision.duration')?.descriptor.unit).toBe('s');
      expect(pointValue(metrics.get('tinyauth.reachable'))).toBe(0);
      const hits = all.filter((s) => s.hit === true).length;
      if (mode === 'cached') {
        expect(pointValue(metrics.get('tinyauth.cache.hits'))).toBe(hits);
        expect(pointValue(metrics.get('tinyauth.cache.misses'))).toBe(all.length - hits);
      } else {
        expect(pointValue(metrics.get('tinyauth.cache.hits'))).toBeUndefined();
      }
      const keysAge = metrics.get('tinyauth.local.keys.age');
      const policiesAge = metrics.get('tinyauth.local.policies.age');
      if (mode === 'local') {
        expect(keysAge?.descriptor.unit).toBe('s');
        // alice's key was served stale; bob's too is past its 1 ms lifetime, but was never served stale.
        // Fetched at step 2, served stale at step 5, read now: 4 steps of 10 ms later.
        expect(pointValue(keysAge, { 'tinyauth.cache.state': 'stale' })).toBe(0.04);
        expect(pointValue(keysAge, { 'tinyauth.cache.state': 'fresh' })).toBeUndefined();
        // Policies live 60 s: still fresh.
        // alice's, fetched at step 1.
        expect(pointValue(policiesAge, { 'tinyauth.cache.state': 'fresh' })).toBe(0.05);
        expect(pointValue(policiesAge, { 'tinyauth.cache.state': 'stale' })).toBeUndefined();
      } else {
        expect(keysAge?.dataPoints ?? []).toHaveLength(0);
      }
    });
  });
});
