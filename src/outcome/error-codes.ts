/** Error codes tinyauth reports when it cannot establish who is calling. */
export const AUTHENTICATION_ERROR_CODES = [
  'UnsignedRequest',
  'InvalidSignature',
  'NoSuchKey',
  'CsrfError',
  'InvalidSecretKey',
  'ClockSkew',
] as const;

export type AuthenticationErrorCode = (typeof AUTHENTICATION_ERROR_CODES)[number];

/**
 * Every `ErrorCode` a denial can carry: tinyauth's own codes, plus `TinyauthUnavailable` when no decision could be
 * had (connection refused, timeout, 5xx, a malformed answer, or tinyauth rejecting this service's own key).
 */
export type TinyauthErrorCode = AuthenticationErrorCode | 'NotPermitted' | 'TinyauthUnavailable';

const authenticationCodes: ReadonlySet<string> = new Set(AUTHENTICATION_ERROR_CODES);

/** True for codes that mean "no valid identity" (answered with 401). */
export function isAuthenticationErrorCode(code: string | undefined): code is AuthenticationErrorCode {
  return code !== undefined && authenticationCodes.has(code);
}
