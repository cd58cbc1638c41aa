import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { TinyauthDecision } from '../decision';
import { TINYAUTH_REQUEST_PROPERTY } from '../tinyauth.constants';
import { stateHolder } from '../request/context-facts';

/**
 * What the guard attaches, under `.tinyauth`, when it allows a call: to the HTTP request, the GraphQL context, the
 * WebSocket client or the RPC context.
 */
export interface TinyauthRequestState {
  /** The user tinyauth identified (undefined in bypass mode). */
  identity?: string;
  decision: TinyauthDecision;
}

/**
 * Reads what the guard (or `TinyauthService.authorizeOrThrow`) attached to a request once it was allowed:
 * `{ identity, decision }` (the tinyauth user name, undefined in bypass mode, and the whole `TinyauthDecision`).
 * `request` is what the handler holds: the Express or Fastify request, the GraphQL context, the socket or the RPC
 * context. Undefined when nothing allowed this request (e.g. a `@Public()` handler). Never throws.
 */
export function getTinyauthState(request: unknown): TinyauthRequestState | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  return (request as Record<string, TinyauthRequestState | undefined>)[TINYAUTH_REQUEST_PROPERTY];
}

/** Stores the state on the request (used by the guard and by `TinyauthService.authorizeOrThrow`). */
export function setTinyauthState(request: unknown, state: TinyauthRequestState): void {
  if (request !== null && typeof request === 'object') {
    (request as Record<string, TinyauthRequestState>)[TINYAUTH_REQUEST_PROPERTY] = state;
  }
}

/**
 * Injects the identity (user name) tinyauth established for this call: an HTTP request, a GraphQL resolver
 * (query, mutation, field or subscription), a WebSocket message or a microservice message.
 *
 * @example
 * \@Get() \@RequireAction('ListApples', 'apples') list(\@TinyauthIdentity() user: string) {}
 */
export const TinyauthIdentity = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | undefined => getTinyauthState(stateHolder(ctx))?.identity,
);
