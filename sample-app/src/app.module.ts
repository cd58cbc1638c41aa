import { Module, ValidationPipe } from '@nestjs/common';
import { APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { TinyauthGuard, TinyauthModule, type TinyauthModuleOptions } from 'nestjs-tinyauth';
import { TinyauthHealthIndicator } from 'nestjs-tinyauth/terminus';
import { AppleStore } from './apples/apple.store';
import { ApplesController } from './apples/apples.controller';
import { DEMO_SERVICE_KEY, EmbeddedTinyauth, EmbeddedTinyauthModule } from './embedded-tinyauth';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { tinyauthConfig } from './tinyauth.config';
import { WebController } from './web/web.controller';

/**
 * The options `TinyauthModule` gets: the environment's as they are when `TINYAUTH_ENDPOINT` is set; otherwise the
 * same, pointed at the embedded demo server with its service key. Session cookies drop `Secure` only in the demo,
 * which runs on plain http://localhost (a browser would not send a Secure cookie back there).
 */
export function sampleTinyauthOptions(
  fromEnv: TinyauthModuleOptions,
  embedded: EmbeddedTinyauth,
): TinyauthModuleOptions {
  if (embedded.url === undefined) return fromEnv;
  return {
    ...fromEnv,
    endpoint: embedded.url,
    accessKeyId: DEMO_SERVICE_KEY.id,
    secretAccessKey: DEMO_SERVICE_KEY.secret,
    cookieSecure: fromEnv.cookieSecure ?? false,
  };
}

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true }),
    // `login: true` mounts GET/POST /login and GET /logout (flask_tinyauth's login_blueprint).
    TinyauthModule.forRootAsync({
      login: true,
      imports: [ConfigModule.forFeature(tinyauthConfig), EmbeddedTinyauthModule],
      inject: [tinyauthConfig.KEY, EmbeddedTinyauth],
      useFactory: (fromEnv: ConfigType<typeof tinyauthConfig>, embedded: EmbeddedTinyauth) =>
        sampleTinyauthOptions(fromEnv, embedded),
    }),
    EmbeddedTinyauthModule,
    TerminusModule,
  ],
  controllers: [ApplesController, WebController, HealthController, MetricsController],
  providers: [
    AppleStore,
    TinyauthHealthIndicator,
    // Every route of the app goes through the guard, and fails closed: a handler with neither @RequireAction nor
    // @Public is denied. To guard only some controllers instead, drop this provider and put
    // @UseGuards(TinyauthGuard) on them.
    { provide: APP_GUARD, useClass: TinyauthGuard },
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }) },
  ],
})
export class AppModule {}
