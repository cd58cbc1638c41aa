import { SetMetadata } from '@nestjs/common';
import { REDIRECT_TO_LOGIN_KEY } from '../tinyauth.constants';

/**
 * For pages rather than APIs (flask_tinyauth's `authorize_or_login`): an unauthenticated browser is redirected to
 * the login page with `?next=<this page>`. A signed-in user who lacks the permission still gets 403.
 *
 * @example
 * \@Get('/') \@RedirectToLogin() \@RequireAction('AccessWebInterface') home() {}
 */
export const RedirectToLogin = (): MethodDecorator & ClassDecorator =>
  SetMetadata(REDIRECT_TO_LOGIN_KEY, true);
