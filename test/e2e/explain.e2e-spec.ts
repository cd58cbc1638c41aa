/**
 * Denial explanations over real HTTP (Express and Fastify) against the compatible server: the `explain` option in
 * development and production, `TinyauthService.explain`, and local mode's lint of fetched policies.
 */
import { Controller, Get, Module, Param, Req, UseGuards, type Type } from '@nestjs/common';
import {
  Public,
  RequireAction,
  TinyauthGuard,
  TinyauthModule,
  TinyauthService,
  type TinyauthModuleOptions,
} from 'nestjs-tinyauth';
import { demoFixture, startTinyauthServer, type Fixture, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { ADAPTERS, MemoryLogger, startApp, type RunningApp } from '../helpers/http-apps';

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const READER = basic('AKREADER', 'reader-secret');
const SECRETS = ['reader-secret', 'sample-service-secret', READER.slice(6), 'query-secret'];

@Controller('apples')
@UseGuards(TinyauthGuard)
class ApplesController {
  constructor(private readonly tinyauth: TinyauthService) {}

  @Get(':name')
  @RequireAction('GetApple', 'apples', 'name')
  get(@Param('name') name: string): object {
    return { name };
  }

  @Get(':name/delete')
  @RequireAction('DeleteApple', 'apples', 'name')
  remove(@Param('name') name: string): object {
    return { deleted: name };
  }

  @Get(':name/why-not-delete')
  @Public()
  why(@Req() req: object, @Param('name') name: string): Promise<object> {
    return this.tinyauth.explain(
      req,
      [{ action: 'DeleteApple', resource: this.tinyauth.arn('apples', name) }],
      {
        Team: 'red',
      },
    );
  }
}

function appModule(options: Partial<TinyauthModuleOptions> & { endpoint: string }): Type<unknown> {
  @Module({
    imports: [
      TinyauthModule.forRoot({
        accessKeyId: 'AKSAMPLESERVICE',
        secretAccessKey: 'sample-service-secret',
        service: 'apples',
        ...options,
      }),
    ],
    controllers: [ApplesController],
  })
  class ExplainAppModule {}
  return ExplainAppModule;
}

/** The demo store plus a user whose policy holds tinyauth's traps. */
const trapFixture: Fixture = {
  ...demoFixture,
  users: [
    ...(demoFixture.users ?? []),
    {
      username: 'trapped',
      password: null,
      access_keys: [['AKTRAPPED', 'trapped-secret']],
      policies: [
        {
          name: 'traps',
          policy: {
            Statement: [
              { Action: 'apples:Get*', Effect: 'Allow', Resource: '*' },
              { Action: 'apples:Delete*', Effect: 'deny', Resource: '*' },
              {
                Action: 'apples:Get*',
                Effect: 'Deny',
                Resource: '*/rotten',
                Condition: { StringEquals: { Team: 'x' } },
              },
            ],
          },
        },
      ],
    },
  ],
};

describe.each(ADAPTERS)('denial explanations (%s)', (adapter) => {
  let tinyauth: TinyauthServer;
  const originalEnv = process.env.NODE_ENV;
  beforeAll(async () => {
    tinyauth = await startTinyauthServer({ fixture: trapFixture });
  });
  afterAll(async () => {
    await tinyauth.close();
  });
  afterEach(() => {
    process.env.NODE_ENV = originalEnv;
  });

  async function withApp(
    options: Partial<TinyauthModuleOptions>,
    fn: (app: RunningApp, logs: MemoryLogger) => Promise<void>,
  ): Promise<void> {
    const logs = new MemoryLogger();
    const app = await startApp(adapter, appModule({ endpoint: tinyauth.url, ...options }), { logger: logs });
    try {
      await fn(app, logs);
    } finally {
      await app.close();
    }
  }
  const get = async (app: RunningApp, path: string, auth = READER) => {
    const res = await fetch(`${app.url}${path}`, { headers: { Authorization: auth } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('logs why a denied request was refused in development, and nothing secret', async () => {
    process.env.NODE_ENV = 'development';
    await withApp({ explain: true }, async (app, logs) => {
      expect((await get(app, '/apples/fred')).status).toBe(200);
      expect(await get(app, '/apples/fred/delete?token=query-secret')).toEqual({
        status: 403,
        body: { Authorized: false, ErrorCode: 'NotPermitted' },
      });
      const denial = logs.lines.filter((l) => l.includes('refused (NotPermitted)'));
      expect(denial).toHaveLength(1);
      expect(denial[0]).toContain('GET /apples/fred/delete refused (NotPermitted): user "reader"');
      expect(denial[0]).toContain(
        '"apples:DeleteApple" on "arn:tinyauth:apples:default::apples/fred": Default (implicit deny: no statement applied)',
      );
      expect(denial[0]).toContain('nearest misses: statement 0 (Action only)');
      for (const secret of SECRETS) expect(logs.lines.join('\n')).not.toContain(secret);
    });
  });

  it('does not explain in production, and says so at start-up naming the option', async () => {
    process.env.NODE_ENV = 'production';
    await withApp({ explain: true }, async (app, logs) => {
      expect((await get(app, '/apples/fred/delete')).status).toBe(403);
      expect(logs.lines.filter((l) => l.includes('refused (NotPermitted)'))).toEqual([]);
      expect(logs.lines).toContainEqual(
        expect.stringMatching(/^WARN explain: ignored because NODE_ENV=production/),
      );
    });
  });

  it('explains nothing without the option', async () => {
    process.env.NODE_ENV = 'development';
    await withApp({}, async (app, logs) => {
      expect((await get(app, '/apples/fred/delete')).status).toBe(403);
      expect(logs.lines.filter((l) => l.includes('refused'))).toEqual([]);
    });
  });

  it('TinyauthService.explain traces the merged policy with the context it saw', async () => {
    await withApp({}, async (app) => {
      const trapped = basic('AKTRAPPED', 'trapped-secret');
      const { status, body } = await get(app, '/apples/rotten/why-not-delete', trapped);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        identity: 'trapped',
        statementCount: 3,
        checks: [
          {
            action: 'apples:DeleteApple',
            resource: 'arn:tinyauth:apples:default::apples/rotten',
            explanation: {
              decision: 'Allow',
              decidedBy: 1,
              statements: [
                { outcome: 'skipped', skippedAt: 'action' },
                { outcome: 'applied', effect: 'deny', effectCountsAs: 'Allow' },
                {
                  outcome: 'skipped',
                  skippedAt: 'action',
                  conditions: [
                    { operator: 'StringEquals', key: 'Team', expected: 'x', seen: 'red', result: 'fails' },
                  ],
                },
              ],
            },
          },
        ],
      });
      expect(JSON.stringify(body)).not.toContain('trapped-secret');
      expect((await get(app, '/apples/x/why-not-delete', basic('AKTRAPPED', 'wrong'))).body).toEqual({
        errorCode: 'InvalidSignature',
        checks: [],
      });
    });
  });

  it('local mode lints each fetched policy and logs each finding once', async () => {
    await withApp({ mode: 'local' }, async (app, logs) => {
      const trapped = basic('AKTRAPPED', 'trapped-secret');
      expect((await get(app, '/apples/fred/delete', trapped)).status).toBe(200); // "deny" allows: the trap
      expect((await get(app, '/apples/fred', trapped)).status).toBe(200);
      const lint = logs.lines.filter((l) => l.includes('policy lint'));
      expect(lint).toEqual([
        expect.stringMatching(
          /^ERROR policy lint error \[deny-case\] user "trapped" \$\.Statement\[1\]: Effect "deny"/,
        ),
        expect.stringMatching(
          /^WARN policy lint warning \[context-key-never-sent\] user "trapped" \$\.Statement\[2\]: .*"Team"/,
        ),
      ]);
      expect(lint.join('\n')).toContain('Fix: write "Deny" exactly');
    });
  });
});
