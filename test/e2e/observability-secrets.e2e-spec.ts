/**
 * No credential ever reaches an event, a log line, a span or a metric, whatever the request sends: every kind of
 * credential the other hostile-input tests use (valid and wrong access keys, session cookies valid and forged,
 * CSRF tokens, bearer and proxy credentials, passwords, the service's own secret, a credential copied into
 * X-Request-Id), in every mode, on both adapters, including a tinyauth outage.
 */
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import type { TinyauthDecisionEvent } from 'nestjs-tinyauth';
import { ADAPTERS, MemoryLogger, startApp, type RunningApp } from '../helpers/http-apps';
import { guardAppModule } from '../helpers/guard-app';
import {
  ALICE_KEY,
  BOB_KEY,
  SERVICE_KEY,
  basic,
  guardFixture,
  sessionCookie,
} from '../helpers/guard-fixture';
import { installOtelSdk, withRequestSpans } from '../helpers/otel-sdk';

const sdk = installOtelSdk();

/** Every credential value sent, and the requests that send them. */
function hostileRequests(aliceSession: string): {
  secrets: string[];
  requests: Array<Record<string, string>>;
} {
  const token = aliceSession.slice('tinysess='.length);
  const [header, payload] = token.split('.');
  const forged = `${header}.${payload}.${'A'.repeat(43)}`;
  const csrf = 'csrf-token-9f8e7d6c5b4a';
  const bearer = 'bearer-token-0123456789abcdef';
  const wrong = { id: ALICE_KEY.id, secret: 'wrong-secret-value-42' };
  const password = 'alice-pass';
  const unknown = { id: 'AKUNKNOWN', secret: 'unknown-secret-77' };
  const secrets = [
    ALICE_KEY.secret,
    BOB_KEY.secret,
    SERVICE_KEY.secret,
    wrong.secret,
    unknown.secret,
    password,
    token,
    forged,
    csrf,
    bearer,
    basic(ALICE_KEY).slice('Basic '.length),
    basic(BOB_KEY).slice('Basic '.length),
    basic(wrong).slice('Basic '.length),
    Buffer.from(`alice:${password}`).toString('base64'),
    Buffer.from(`${SERVICE_KEY.id}:${SERVICE_KEY.secret}`).toString('base64'),
    // the signature alone, which is what a partial leak would show
    token.split('.')[2],
  ];
  const requests: Array<Record<string, string>> = [
    { Authorization: basic(ALICE_KEY) },
    { Authorization: basic(BOB_KEY) },
    { Authorization: basic(wrong) },
    { Authorization: `Basic ${Buffer.from(`alice:${password}`).toString('base64')}` },
    { Authorization: `Bearer ${bearer}` },
    { Cookie: aliceSession },
    { Cookie: `theme=dark; tinysess=${forged}; other=${bearer}` },
    { Cookie: `tinysess="${token}"` },
    { Cookie: aliceSession, 'X-CSRF-Token': csrf },
    { 'Proxy-Authorization': basic(ALICE_KEY), Authorization: basic(ALICE_KEY) },
    // a credential sent as a request id too: it must not become the event's requestId
    { Authorization: basic(ALICE_KEY), 'X-Request-Id': ALICE_KEY.secret },
    { Cookie: aliceSession, 'X-Request-Id': token.slice(0, 100) },
    { Authorization: basic(BOB_KEY), 'X-Request-Id': basic(BOB_KEY).slice('Basic '.length) },
    // never seen before the outage: local mode has nothing cached for it
    { Authorization: basic(unknown) },
  ];
  return { secrets, requests };
}

describe.each(ADAPTERS)('no credential in events, logs, spans or metrics on %s', (adapter) => {
  it.each(['remote', 'cached', 'local'] as const)('in %s mode, through an outage', async (mode) => {
    sdk.reset();
    const tinyauth: TinyauthServer = await startTinyauthServer({ fixture: guardFixture });
    const events: TinyauthDecisionEvent[] = [];
    const logger = new MemoryLogger();
    let app: RunningApp | undefined;
    try {
      const aliceSession = await sessionCookie(tinyauth.url, 'alice', 'alice-pass');
      const { secrets, requests } = hostileRequests(aliceSession);
      app = await startApp(
        adapter,
        withRequestSpans(
          guardAppModule({
            endpoint: tinyauth.url,
            accessKeyId: SERVICE_KEY.id,
            secretAccessKey: SERVICE_KEY.secret,
            service: 'test',
            mode,
            auditLog: true,
            onDecision: (event) => void events.push(event),
          }),
        ),
        { logger },
      );
      const statuses: number[] = [];
      const send = async (outage: boolean): Promise<void> => {
        for (const headers of outage ? requests : requests.slice(0, -1)) {
          for (const path of ['/apples/fred', '/apples/inside/fred', '/apples']) {
            statuses.push((await fetch(`${app!.url}${path}`, { headers })).status);
          }
        }
      };
      await send(false);
      await tinyauth.close();
      await send(true);
      // The sequence did reach every kind of decision, so the scan below covers them all.
      expect(new Set(statuses)).toEqual(new Set([200, 401, 403, 503]));
      expect(events).toHaveLength(statuses.length);
      expect(events.filter((e) => e.route === 'TinyauthService.authorizeOrThrow')).toHaveLength(
        statuses.length / 3,
      );

      const metrics = await sdk.collect();
      const spans = sdk.spans();
      expect(spans.filter((s) => s.name === 'tinyauth.authorize')).toHaveLength(statuses.length);
      const haystacks: Array<[string, string]> = [
        ...events.map((e, i): [string, string] => [`event ${i}`, JSON.stringify(e)]),
        ...logger.lines.map((l, i): [string, string] => [`log line ${i}`, l]),
        ...spans.map((s, i): [string, string] => [
          `span ${i} ${s.name}`,
          JSON.stringify({ name: s.name, attributes: s.attributes, status: s.status, events: s.events }),
        ]),
        ...[...metrics.values()].map((m): [string, string] => [
          `metric ${m.descriptor.name}`,
          JSON.stringify(m.dataPoints.map((p) => p.attributes)),
        ]),
      ];
      expect(logger.lines.filter((l) => l.startsWith('LOG {'))).toHaveLength(events.length);
      const leaks = haystacks.flatMap(([where, text]) =>
        secrets.filter((secret) => text.includes(secret)).map((secret) => `${where} contains ${secret}`),
      );
      expect(leaks).toEqual([]);
    } finally {
      await app?.close();
      await tinyauth.close().catch(() => undefined);
    }
  });
});
