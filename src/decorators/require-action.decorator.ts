import type { TinyauthRequest } from '../request/tinyauth-request';
import { REQUIRE_ACTION_KEY } from '../tinyauth.constants';

/**
 * Picks the resource of a check from the request: a route parameter's name, or a function of the request returning
 * one resource name or several (each is checked). `Req` is the request type the function reads, `TinyauthRequest`
 * unless given; the guard passes it the adapter's request object as it is.
 */
export type ResourceSelector<Req extends object = TinyauthRequest> =
  string | ((request: Req) => string | readonly string[]);

/** One `@RequireAction` as stored in metadata. */
export interface ActionRequirement<Req extends object = TinyauthRequest> {
  action: string;
  resourceClass?: string;
  resource?: ResourceSelector<Req>;
}

/**
 * Requires tinyauth to allow `action` on the resource before the handler runs (flask_tinyauth's
 * `authorize_or_401`). On a controller class it applies to every handler. Several decorators, on the handler and
 * its class, are all required, and are checked in one call to tinyauth.
 *
 * `resource` is the name of a route parameter, or a function of the request returning the resource name (or
 * several). Without a resource class the ARN is `arn:<partition>:<service>:<region>::`; with a class and no
 * resource it is `arn:...::<class>/`. The function's request is a `TinyauthRequest` (params, query, headers, body,
 * user) unless the type parameter names the app's own: `RequireAction<Request>(...)` for Express,
 * `RequireAction<FastifyRequest<{ Params: { name: string } }>>(...)` for Fastify.
 *
 * @example
 * \@Get(':name')
 * \@RequireAction('GetApple', 'apples', 'name') // arn:tinyauth:<service>:default::apples/<name>
 * getApple(@Param('name') name: string) {}
 *
 * @example
 * \@Get()
 * \@RequireAction('GetApple', 'apples', (req) => String(req.query.names).split(',')) // one check per name
 * getSome() {}
 */
export function RequireAction<Req extends object = TinyauthRequest>(
  action: string,
  resourceClass?: string,
  resource?: ResourceSelector<Req>,
): MethodDecorator & ClassDecorator {
  if (typeof action !== 'string' || action === '') {
    throw new TypeError('@RequireAction: action must be a non-empty string');
  }
  if (resourceClass !== undefined && typeof resourceClass !== 'string') {
    throw new TypeError(`@RequireAction('${action}'): resourceClass must be a string`);
  }
  if (resource !== undefined && typeof resource !== 'string' && typeof resource !== 'function') {
    throw new TypeError(`@RequireAction('${action}'): resource must be a route parameter name or a function`);
  }
  if (resource !== undefined && resourceClass === undefined) {
    throw new TypeError(`@RequireAction('${action}'): a resource needs a resource class`);
  }
  // Stored untyped: the guard calls it with whatever request the adapter has, which the caller described as `Req`.
  const requirement = { action, resourceClass, resource } as ActionRequirement<object>;
  return <T>(target: object, _key?: string | symbol, descriptor?: TypedPropertyDescriptor<T>): void => {
    const holder = (descriptor?.value ?? target) as object;
    const existing =
      (Reflect.getOwnMetadata(REQUIRE_ACTION_KEY, holder) as ActionRequirement[] | undefined) ?? [];
    // Decorators apply bottom-up; prepending keeps the list in reading order. Own metadata only: a subclass's
    // requirements replace its base class's, they never silently merge with them.
    Reflect.defineMetadata(REQUIRE_ACTION_KEY, [requirement, ...existing], holder);
  };
}
