import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { Public, RedirectToLogin, RequireAction, TinyauthIdentity } from 'nestjs-tinyauth';
import { AppleStore } from '../apples/apple.store';
import { ForbiddenPageFilter } from './forbidden-page.filter';
import { renderHomePage } from './home-page';
import { PageHeaders } from './html';
import { SAMPLE_CSS } from './sample-style';

/**
 * The browser side, flask_tinyauth's `authorize_or_login`: an unauthenticated visitor of `/` is redirected to
 * `/login?next=%2F` (the login flow is mounted by `login: true` in `AppModule`); a signed-in user without
 * `AccessWebInterface` gets a 403 page (`ForbiddenPageFilter`).
 */
@Controller()
@UseFilters(ForbiddenPageFilter)
export class WebController {
  constructor(private readonly store: AppleStore) {}

  /** Checked on the service's base ARN, `arn:tinyauth:apples:default::`, as flask_tinyauth does. */
  @Get()
  @RedirectToLogin()
  @RequireAction('AccessWebInterface')
  @PageHeaders()
  home(@TinyauthIdentity() user: string | undefined): string {
    return renderHomePage({ user, apples: this.store.list(), logoutPath: '/logout' });
  }

  /** The page's stylesheet; public, because it holds nothing worth protecting. */
  @Get('assets/sample.css')
  @Public()
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  @Header('X-Content-Type-Options', 'nosniff')
  stylesheet(): string {
    return SAMPLE_CSS;
  }
}
