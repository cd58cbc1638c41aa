import { Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { tinyauthOptionsFromEnv } from 'nestjs-tinyauth';
import { demoFixture, startTinyauthServer } from 'nestjs-tinyauth/testing';

type RunningServer = Awaited<ReturnType<typeof startTinyauthServer>>;

/** The demo fixture's service key: the sample's own credentials towards the embedded tinyauth. */
export const DEMO_SERVICE_KEY = { id: 'AKSAMPLESERVICE', secret: 'sample-service-secret' } as const;

/**
 * The demo's throwaway users (from `demoFixture`). Printed at start-up in demo mode only: they exist nowhere else.
 */
export const DEMO_USERS = [
  {
    name: 'admin',
    password: 'admin-pass',
    key: { id: 'AKADMIN', secret: 'admin-secret' },
    can: 'everything',
  },
  {
    name: 'reader',
    password: 'reader-pass',
    key: { id: 'AKREADER', secret: 'reader-secret' },
    can: 'list and read apples, open the web page',
  },
  { name: 'nobody', password: 'nobody-pass', key: undefined, can: 'sign in, and nothing else (403)' },
] as const;

/**
 * The tinyauth-compatible server of `nestjs-tinyauth/testing`, started in-process with the demo fixture when no
 * `TINYAUTH_ENDPOINT` is configured, so `npm start` works with nothing else installed. With `TINYAUTH_ENDPOINT`
 * set (or in bypass mode, which asks no one) it starts nothing and `url` is undefined. Closed when the app shuts
 * down.
 */
export class EmbeddedTinyauth implements OnApplicationShutdown {
  private constructor(private readonly server: RunningServer | undefined) {}

  /** Starts the embedded server unless the configuration names a real tinyauth. */
  static async startUnlessConfigured(config: ConfigService): Promise<EmbeddedTinyauth> {
    if (config.get<string>('TINYAUTH_ENDPOINT')) return new EmbeddedTinyauth(undefined);
    // Parsed as the module will parse it, so `TINYAUTH_BYPASS=yes` and `=1` agree.
    if (tinyauthOptionsFromEnv({ TINYAUTH_BYPASS: config.get<string>('TINYAUTH_BYPASS') }).bypass === true) {
      return new EmbeddedTinyauth(undefined);
    }
    const server = await startTinyauthServer({ port: 0, host: '127.0.0.1', fixture: demoFixture });
    new Logger('EmbeddedTinyauth').log(`Demo tinyauth listening on ${server.url} (no TINYAUTH_ENDPOINT set)`);
    return new EmbeddedTinyauth(server);
  }

  /** Base URL of the embedded server (ends with `/`), or undefined when a real tinyauth is configured. */
  get url(): string | undefined {
    return this.server?.url;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}

/** Provides `EmbeddedTinyauth`; imported by `TinyauthModule.forRootAsync` so its factory can inject it. */
@Module({
  providers: [
    {
      provide: EmbeddedTinyauth,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => EmbeddedTinyauth.startUnlessConfigured(config),
    },
  ],
  exports: [EmbeddedTinyauth],
})
export class EmbeddedTinyauthModule {}
