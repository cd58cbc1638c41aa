/** Why a call to tinyauth produced no usable answer. */
export type TinyauthFailureKind =
  | 'timeout'
  | 'connection'
  | 'server-error'
  | 'malformed-response'
  | 'service-key-rejected'
  | 'unexpected-status';

/** A call to tinyauth that failed; the message never holds credentials. */
export class TinyauthClientError extends Error {
  constructor(
    readonly kind: TinyauthFailureKind,
    message: string,
    /** tinyauth's error code, when the failure carried one (e.g. `InvalidSignature` for our own key). */
    readonly errorCode?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TinyauthClientError';
  }
}

/** tinyauth refused the user name and password at login (HTTP 401 `Invalid credentials`). */
export class InvalidCredentials extends Error {
  constructor() {
    super('Invalid credentials');
    this.name = 'InvalidCredentials';
  }
}
