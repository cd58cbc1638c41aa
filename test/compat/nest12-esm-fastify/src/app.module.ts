import {
  Catch,
  Controller,
  Get,
  Header,
  Module,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import {
  AuthorizationFailed,
  RedirectToLogin,
  RequireAction,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
} from 'nestjs-tinyauth';

@Controller()
export class ApplesController {
  @Get('apples')
  @RequireAction('ListApples', 'apples')
  list(@TinyauthIdentity() user: string) {
    return { apples: ['fuji'], askedBy: user };
  }

  @Get('page')
  @RedirectToLogin()
  @RequireAction('AccessWebInterface')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  page(@TinyauthIdentity() user: string) {
    return `Hello ${user}`;
  }
}

/** The README's denial filter: reads the code and the status off the exception. */
@Catch(AuthorizationFailed)
export class AuthorizationFailedFilter implements ExceptionFilter<AuthorizationFailed> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: AuthorizationFailed, host: ArgumentsHost): void {
    const body = { error: 'Authorization has failed', code: exception.errorCode };
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, exception.getStatus());
  }
}

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
    TinyauthModule.forRootAsync({
      login: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        endpoint: config.getOrThrow<string>('TINYAUTH_ENDPOINT'),
        accessKeyId: config.getOrThrow<string>('TINYAUTH_ACCESS_KEY_ID'),
        secretAccessKey: config.getOrThrow<string>('TINYAUTH_SECRET_ACCESS_KEY'),
        service: 'apples',
        cookieSecure: false,
      }),
    }),
  ],
  controllers: [ApplesController],
  providers: [
    { provide: APP_GUARD, useClass: TinyauthGuard },
    { provide: APP_FILTER, useClass: AuthorizationFailedFilter },
  ],
})
export class AppModule {}
