import { REQUIRE_ACTION_KEY } from '../tinyauth.constants';
import type { TinyauthSelectorInput } from '../request/selector-input';
import type { TinyauthRequest } from '../request/tinyauth-request';

/**
 * Picks the resource of a check: a name (a route parameter for HTTP, a field argument for GraphQL, a top-level
 * field of the payload for WebSocket and RPC messages), or a function of the transport-neutral
 * {@link TinyauthSelectorInput}: `params`, `query`, `headers`, `body` and `user` of the HTTP request, and
 * `input.request` typed as `Req` (`TinyauthRequest` unless given, e.g. Express `Request`).
 */
export type ResourceSelector<Req extends object = TinyauthRequest> =
  string | ((input: TinyauthSelectorInput<Req>) => string | readonly string[]);

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
 * `resource` names a route parameter (http), a field argument (graphql) or a top-level field of the message
 * payload (ws, rpc), or is a function of `{ type, params, args, data, request }` returning the resource name (or
 * several). Without a resource class the ARN is `arn:<partition>:<service>:<region>::`; with a class and no
 * resource it is `arn:...::<class>/`.
 *
 * @example
 * \@Get(':name')
 * \@RequireAction('GetApple', 'apples', 'name') // arn:tinyauth:<service>:default::apples/<name>
 * getApple(@Param('name') name: string) {}
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
  // The request type only guides the selector's author; at run time it receives what the transport gives.
  const requirement: ActionRequirement = {
    action,
    resourceClass,
    resource: resource as ResourceSelector | undefined,
  };
  return <T>(target: object, _key?: string | symbol, descriptor?: TypedPropertyDescriptor<T>): void => {
    const holder = (descriptor?.value ?? target) as object;
    const existing =
      (Reflect.getOwnMetadata(REQUIRE_ACTION_KEY, holder) as ActionRequirement[] | undefined) ?? [];
    // Decorators apply bottom-up; prepending keeps the list in reading order. Own metadata only: a subclass's
    // requirements replace its base class's, they never silently merge with them.
    Reflect.defineMetadata(REQUIRE_ACTION_KEY, [requirement, ...existing], holder);
  };
}
