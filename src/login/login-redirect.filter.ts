import { Catch, Inject, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LoginRequired } from '../outcome/login-required';
import { TINYAUTH_LOGIN_PATH } from '../tinyauth.constants';
import { LoginMounts } from './login-mount';
import { safeNextPath } from './safe-next';

/** Where unauthenticated page requests are sent when the module did not mount the login flow itself. */
export const DEFAULT_LOGIN_PATH = '/login';

/** The redirect target for a page that needs a sign-in: `<loginPath>?next=<page>`, with `next` made safe. */
export function loginRedirectLocation(loginPath: string, next: string): string {
  return `${loginPath}?next=${encodeURIComponent(safeNextPath(next))}`;
}

/**
 * Answers `LoginRequired` (an unauthenticated GET or HEAD of a `@RedirectToLogin()` handler) with a 302 to the
 * login page, on Express and Fastify. Registered globally by `TinyauthModule`. The login page is where the app's
 * login controller is really mounted (global prefix, `exclude`, URI version and `RouterModule` path included, see
 * `LoginMounts`); with several mounts, the one closest to the page. An app without a login controller is sent to
 * the module's `login: { path }`, else `/login`, as given.
 * (The guard never asks for a redirect on `CsrfError`: that browser holds a header-token session, and a page
 * navigation cannot send `X-CSRF-Token`, so signing in again would loop.)
 */
@Catch(LoginRequired)
export class LoginRedirectFilter implements ExceptionFilter<LoginRequired> {
  private readonly loginPath: string;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(TINYAUTH_LOGIN_PATH) loginPath?: string | null,
    @Optional() private readonly mounts?: LoginMounts,
  ) {
    this.loginPath = loginPath ?? DEFAULT_LOGIN_PATH;
  }

  catch(exception: LoginRequired, host: ArgumentsHost): unknown {
    // Other transports (GraphQL, RPC) handle returned errors themselves; a redirect means nothing there.
    if (host.getType() !== 'http') return exception;
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    adapter.setHeader(response, 'Cache-Control', 'no-store');
    const pagePath = exception.next.split('?')[0];
    const loginPage = this.mounts?.forRedirect(pagePath)?.page ?? this.loginPath;
    return adapter.redirect(response, 302, loginRedirectLocation(loginPage, exception.next));
  }
}
