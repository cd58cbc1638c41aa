import * as nestCommon from '@nestjs/common';
import type { TinyauthDecision } from '../decision';
import { exceptionForDecision, type AuthorizationFailedBody } from './authorization-failed';
import { isAuthenticationErrorCode } from './error-codes';
import { optionalExport } from '../runtime/optional-package';

/** `extensions.code` of a GraphQL denial: Apollo's names for 401, 403 and 503. */
export type TinyauthGraphQLErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'SERVICE_UNAVAILABLE';

/** The `extensions` of a GraphQL denial. */
export interface TinyauthGraphQLErrorExtensions {
  code: TinyauthGraphQLErrorCode;
  tinyauth: AuthorizationFailedBody;
}

function bodyOf(decision: TinyauthDecision): AuthorizationFailedBody {
  return { Authorized: false, ErrorCode: decision.errorCode ?? 'NotPermitted' };
}

function graphqlCode(decision: TinyauthDecision): TinyauthGraphQLErrorCode {
  if (decision.errorCode === 'TinyauthUnavailable') return 'SERVICE_UNAVAILABLE';
  return isAuthenticationErrorCode(decision.errorCode) ? 'UNAUTHENTICATED' : 'FORBIDDEN';
}

const MESSAGES: Record<TinyauthGraphQLErrorCode, string> = {
  UNAUTHENTICATED: 'Not authenticated',
  FORBIDDEN: 'Not permitted',
  SERVICE_UNAVAILABLE: 'Authorization unavailable',
};

// Nest 11 logs every error reaching its external exception filter with its stack unless it is an
// IntrinsicException (an expected outcome); Nest 10 has no such class and logs either way.
const IntrinsicBase: typeof Error =
  (nestCommon as unknown as { IntrinsicException?: typeof Error }).IntrinsicException ?? Error;

/**
 * A GraphQL denial: graphql-js turns it into an entry of `errors[]` with its `extensions`
 * (`{ code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'SERVICE_UNAVAILABLE', tinyauth: { Authorized: false, ErrorCode } }`)
 * and sets the denied field to `null`, so the rest of the operation still resolves. It is a plain `Error` with
 * `extensions` (what graphql-js's `locatedError` keeps), so `graphql` is never loaded by this package. Its `stack`
 * is one line without frames: servers that echo stacks in development (Apollo's `extensions.stacktrace`) show
 * no code path.
 */
export class TinyauthGraphQLError extends IntrinsicBase {
  readonly extensions: TinyauthGraphQLErrorExtensions;

  constructor(readonly decision: TinyauthDecision) {
    const code = graphqlCode(decision);
    super(`${MESSAGES[code]} (${decision.errorCode ?? 'NotPermitted'})`);
    this.name = 'TinyauthGraphQLError';
    this.extensions = { code, tinyauth: bodyOf(decision) };
    this.stack = `${this.name}: ${this.message}`;
  }
}

type ExceptionClass = new (error: object) => Error;

/**
 * A WebSocket denial: a `WsException` carrying `{ Authorized: false, ErrorCode }`, which Nest's
 * `BaseWsExceptionFilter` sends to the client as the `exception` event. Without `@nestjs/websockets` (not a
 * WebSocket app after all), the HTTP exception.
 */
export function wsDenial(decision: TinyauthDecision): Error {
  const WsException = optionalExport<ExceptionClass>('@nestjs/websockets', 'WsException');
  return WsException === undefined ? exceptionForDecision(decision) : new WsException(bodyOf(decision));
}

/**
 * A microservice denial: an `RpcException` carrying `{ Authorized: false, ErrorCode }`, which Nest's
 * `BaseRpcExceptionFilter` sends to the caller as the error (a `ClientProxy` observable errors with that
 * object). Without `@nestjs/microservices`, the HTTP exception.
 */
export function rpcDenial(decision: TinyauthDecision): Error {
  const RpcException = optionalExport<ExceptionClass>('@nestjs/microservices', 'RpcException');
  return RpcException === undefined ? exceptionForDecision(decision) : new RpcException(bodyOf(decision));
}

/** True for the body of a denial (what the WebSocket bridge forwards, and nothing else). */
export function isDenialBody(value: unknown): value is AuthorizationFailedBody {
  const v = value as Partial<AuthorizationFailedBody> | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    v.Authorized === false &&
    typeof v.ErrorCode === 'string' &&
    Object.keys(v).length === 2
  );
}
