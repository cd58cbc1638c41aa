/**
 * Requests the guard refuses by itself (nothing declared, a resource it cannot build) are decisions too: each gives
 * one decision event, with source `guard`, and never a call to tinyauth.
 */
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import type { TinyauthDecisionEvent } from 'nestjs-tinyauth';
import { ADAPTERS, startApp, type RunningApp } from '../helpers/http-apps';
import { guardAppModule } from '../helpers/guard-app';
import { ALICE_KEY, basic, guardFixture, SERVICE_KEY } from '../helpers/guard-fixture';

let tinyauth: TinyauthServer;
beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: guardFixture });
});
afterAll(() => tinyauth.close());

describe.each(ADAPTERS)('decision events for the guard’s own denials on %s', (adapter) => {
  const events: TinyauthDecisionEvent[] = [];
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(
      adapter,
      guardAppModule({
        endpoint: tinyauth.url,
        accessKeyId: SERVICE_KEY.id,
        secretAccessKey: SERVICE_KEY.secret,
        service: 'test',
        onDecision: (event) => {
          events.push(event);
        },
      }),
    );
  });
  afterAll(() => app.close());
  beforeEach(() => events.splice(0));

  it.each([
    [
      'a handler with neither @RequireAction nor @Public',
      '/apples/unannotated/handler',
      'ApplesController.unannotated',
    ],
    ['a resource the guard cannot build', '/apples/misnamed/7', 'ApplesController.misnamed'],
  ])('%s', async (_what, path, route) => {
    const res = await fetch(`${app.url}${path}`, { headers: { Authorization: basic(ALICE_KEY) } });
    expect(res.status).toBe(403);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      route,
      transport: 'http',
      source: 'guard',
      outcome: 'deny',
      status: 403,
      errorCode: 'NotPermitted',
      checks: [],
    });
  });
});
