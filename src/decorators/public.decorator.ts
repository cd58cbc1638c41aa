import { SetMetadata } from '@nestjs/common';
import { PUBLIC_KEY } from '../tinyauth.constants';

/**
 * Exempts a handler or a whole controller from `TinyauthGuard`. On a controller it exempts every handler that does
 * not declare its own `@RequireAction` (those are still checked); on a handler it opens that handler even inside a
 * controller that requires an action. The most specific target wins: handler, class, then base classes. With
 * `@RequireAction` on the same class or method it is a configuration error that stops start-up. Under the guard,
 * a handler with neither `@RequireAction` nor `@Public` is denied.
 *
 * @example
 * \@Public() \@Get('health') health() { return { ok: true }; }
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);
