import { Logger } from '@nestjs/common';
import type { TinyauthDecision } from '../../../src/authorizer/decision';
import type { TinyauthDecisionEvent } from '../../../src/decision-event';
import { DecisionObserver, requestIdOf } from '../../../src/observability/decision-observer';
import { TinyauthTelemetry } from '../../../src/observability/telemetry';

const checks = [
  { action: 'GetApple', resource: 'arn:tinyauth:apples:default::apples/fred' },
  { action: 'EatApple', resource: 'arn:tinyauth:apples:default::apples/fred' },
];
const site = { transport: 'http', route: 'ApplesController.eat' };
const partly: TinyauthDecision = {
  authorized: false,
  errorCode: 'NotPermitted',
  permitted: { GetApple: [checks[0].resource] },
  notPermitted: { EatApple: [checks[1].resource] },
  source: 'local',
};

describe('DecisionObserver', () => {
  let errors: jest.SpyInstance;
  let warnings: jest.SpyInstance;
  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('returns the very decision it observed, with each check result in the event', async () => {
    const events: TinyauthDecisionEvent[] = [];
    const observer = new DecisionObserver(
      { mode: 'local', handlers: [(e) => void events.push(e)] },
      new TinyauthTelemetry(),
    );
    const decision = await observer.observe(site, [['x-request-id', 'abc-123']], checks, () =>
      Promise.resolve(partly),
    );
    expect(decision).toBe(partly);
    expect(events).toEqual([
      expect.objectContaining({
        requestId: 'abc-123',
        source: 'local',
        identity: null,
        outcome: 'deny',
        status: 403,
        errorCode: 'NotPermitted',
        checks: [
          { ...checks[0], result: 'allow' },
          { ...checks[1], result: 'deny' },
        ],
      }),
    ]);
  });

  it('catches a throwing handler and a rejected promise, logs the failure once, and keeps deciding', async () => {
    const observer = new DecisionObserver(
      {
        mode: 'remote',
        handlers: [
          () => {
            throw new TypeError('boom');
          },
          () => Promise.reject(new RangeError('later')),
        ],
      },
      new TinyauthTelemetry(),
    );
    for (let i = 0; i < 3; i++) {
      await expect(observer.observe(site, [], checks, () => Promise.resolve(partly))).resolves.toBe(partly);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0][0]).toContain('onDecision failed (TypeError)');
  });

  it('does not wait for a handler that never settles, and warns once about a slow synchronous one', async () => {
    let now = 0;
    const observer = new DecisionObserver(
      {
        mode: 'remote',
        handlers: [
          () => new Promise<void>(() => undefined),
          () => {
            now += 250;
          },
        ],
      },
      new TinyauthTelemetry(),
      () => now,
    );
    await observer.observe(site, [], checks, () => Promise.resolve(partly));
    await observer.observe(site, [], checks, () => Promise.resolve(partly));
    expect(warnings).toHaveBeenCalledTimes(1);
    expect(warnings.mock.calls[0][0]).toContain('onDecision took 250 ms');
  });

  it('maps errors and identity failures to 503 and 401', async () => {
    const events: TinyauthDecisionEvent[] = [];
    const observer = new DecisionObserver(
      { mode: 'cached', handlers: [(e) => void events.push(e)] },
      new TinyauthTelemetry(),
    );
    const unavailable = { ...partly, errorCode: 'TinyauthUnavailable', permitted: {}, source: undefined };
    await observer.observe(site, [], checks, () => Promise.resolve(unavailable));
    await observer.observe(site, [], checks, () => Promise.resolve({ ...partly, errorCode: 'CsrfError' }));
    expect(events.map((e) => [e.outcome, e.status, e.errorCode, e.source])).toEqual([
      ['error', 503, 'TinyauthUnavailable', 'tinyauth'],
      ['deny', 401, 'CsrfError', 'local'],
    ]);
  });
});

describe('requestIdOf', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  it.each([
    ['a plain id', [['X-Request-Id', 'req-42']], 'req-42'],
    [
      'a UUID',
      [['x-request-id', '3f2504e0-4f89-41d3-9a0c-0305e82c3301']],
      '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    ],
  ])('keeps %s', (_name, headers, expected) => {
    expect(requestIdOf(headers as Array<[string, string]>)).toBe(expected);
  });

  it.each([
    ['none', []],
    ['an empty one', [['X-Request-Id', '']]],
    ['one with spaces or quotes', [['X-Request-Id', 'a "b" c']]],
    ['a too long one', [['X-Request-Id', 'x'.repeat(129)]]],
    ['a line break', [['X-Request-Id', 'a\nb']]],
    [
      'the Authorization value',
      [
        ['Authorization', 'Bearer tok-123456'],
        ['X-Request-Id', 'tok-123456'],
      ],
    ],
    [
      'a secret inside Basic',
      [
        ['Authorization', `Basic ${Buffer.from('AK:s3cret-x').toString('base64')}`],
        ['X-Request-Id', 's3cret-x'],
      ],
    ],
    [
      'the session cookie',
      [
        ['Cookie', 'tinysess=eyJ.abc.def'],
        ['X-Request-Id', 'eyJ.abc.def'],
      ],
    ],
    [
      'the CSRF token',
      [
        ['X-CSRF-Token', 'csrf-1'],
        ['X-Request-Id', 'csrf-1'],
      ],
    ],
  ])('replaces %s with a new UUID', (_name, headers) => {
    expect(requestIdOf(headers as Array<[string, string]>)).toMatch(uuid);
  });
});
