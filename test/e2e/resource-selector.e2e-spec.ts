/**
 * A resource function's input (params, query, headers, body, user, and the request typed `TinyauthRequest` by
 * default) really carries those fields on both adapters:
 * each one read here ends up in the ARN tinyauth is asked about.
 */
import { Controller, Module, Post, UseGuards } from '@nestjs/common';
import { RequireAction, TinyauthGuard, TinyauthModule } from 'nestjs-tinyauth';
import { startTinyauthServer } from 'nestjs-tinyauth/testing';
import { ADAPTERS, startApp, type RunningApp } from '../helpers/http-apps';
import { ALICE_KEY, SERVICE_KEY, basic, guardFixture } from '../helpers/guard-fixture';
import { startRecordingProxy, type ScriptedServer } from '../helpers/scripted-server';

@Controller('seen')
@UseGuards(TinyauthGuard)
class SeenController {
  @Post(':name')
  @RequireAction('GetApple', 'apples', (req) => [
    `param-${req.params.name.toLowerCase()}`,
    `query-${String(req.query.q)}`,
    `header-${String(req.headers['x-apple'])}`,
    `body-${String((req.body as { b?: unknown } | undefined)?.b)}`,
    `user-${String(req.user)}`,
    `method-${req.type === 'http' ? req.request.method : ''}`,
    `url-${req.type === 'http' ? req.request.url : ''}`,
  ])
  seen(): object {
    return { ok: true };
  }
}

const arn = (rest: string): string => `arn:tinyauth:test:default::apples/${rest}`;

let tinyauth: { url: string; close(): Promise<void> };
let proxy: ScriptedServer;

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: guardFixture });
  proxy = await startRecordingProxy(tinyauth.url);
});
afterAll(async () => {
  await proxy.close();
  await tinyauth.close();
});

describe.each(ADAPTERS)('a resource function reads the default request shape on %s', (adapter) => {
  let app: RunningApp;

  beforeAll(async () => {
    @Module({
      imports: [
        TinyauthModule.forRoot({
          endpoint: proxy.url,
          accessKeyId: SERVICE_KEY.id,
          secretAccessKey: SERVICE_KEY.secret,
          service: 'test',
        }),
      ],
      controllers: [SeenController],
    })
    class SeenModule {}
    app = await startApp(adapter, SeenModule);
  });
  afterAll(() => app.close());

  it('gets params, query, headers, body, method and url as typed', async () => {
    proxy.requests.length = 0;
    const res = await fetch(`${app.url}/seen/FRED?q=jim`, {
      method: 'POST',
      headers: { Authorization: basic(ALICE_KEY), 'X-Apple': 'pip', 'Content-Type': 'application/json' },
      body: JSON.stringify({ b: 'core' }),
    });
    expect(res.status).toBe(201);
    const asked = proxy.requests
      .filter((r) => r.url.endsWith('/authorize-by-token'))
      .map((r) => (JSON.parse(r.body) as { permit: Record<string, string[]> }).permit);
    expect(asked).toEqual([
      {
        GetApple: [
          arn('param-fred'),
          arn('query-jim'),
          arn('header-pip'),
          arn('body-core'),
          arn('user-undefined'),
          arn('method-POST'),
          arn('url-/seen/FRED?q=jim'),
        ],
      },
    ]);
  });
});
