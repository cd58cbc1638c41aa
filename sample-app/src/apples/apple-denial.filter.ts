import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AuthorizationFailed, NotPermitted } from 'nestjs-tinyauth';

/** The denial body of the apples API: the standard two fields plus a sentence a person can act on. */
export interface AppleDenialBody {
  Authorized: false;
  ErrorCode: string;
  Message: string;
}

/**
 * Customises every denial of the controller it is applied to: nestjs-tinyauth's counterpart of flask_tinyauth's
 * `@app.errorhandler(AuthorizationFailed)`. The status (401, 403 or 503) is kept; the body gains a `Message`, and
 * for 403 it names the permissions that were missing (never anything about credentials).
 *
 * Applied with `@UseFilters(AppleDenialFilter)` on `ApplesController`; `{ provide: APP_FILTER, useClass:
 * AppleDenialFilter }` would apply it everywhere. It never sees the sign-in redirect of `@RedirectToLogin()` pages:
 * that is `LoginRequired`, which is not an `AuthorizationFailed`.
 */
@Catch(AuthorizationFailed)
export class AppleDenialFilter implements ExceptionFilter<AuthorizationFailed> {
  // Injected because the filter is applied as a class; the adapter keeps it working on Express and Fastify alike.
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: AuthorizationFailed, host: ArgumentsHost): void {
    const body: AppleDenialBody = {
      Authorized: false,
      ErrorCode: exception.errorCode,
      Message: messageFor(exception),
    };
    const response: unknown = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.reply(response, body, exception.getStatus());
  }
}

function messageFor(exception: AuthorizationFailed): string {
  if (exception instanceof NotPermitted) {
    const missing = Object.entries(exception.decision.notPermitted).flatMap(([action, resources]) =>
      resources.map((resource) => `${action} on ${resource}`),
    );
    return missing.length > 0
      ? `You are signed in, but not allowed to: ${missing.join(', ')}.`
      : 'You are signed in, but not allowed to do this.';
  }
  if (exception.getStatus() === 503) return 'Authorization is unavailable right now; try again shortly.';
  return 'Sign in, or send an access key with HTTP Basic auth (curl -u KEY_ID:SECRET).';
}
