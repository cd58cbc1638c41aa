/** Body of `POST api/v1/services/<service>/authorize-by-token`. */
export interface AuthorizeByTokenRequest {
  permit: Record<string, string[]>;
  headers: Array<[string, string]>;
  context: Record<string, unknown>;
  region?: string;
}

/** tinyauth's answer to authorize-by-token, after its shape was checked. */
export interface AuthorizeByTokenResponse {
  Authorized: boolean;
  Permitted: Record<string, string[]>;
  NotPermitted: Record<string, string[]>;
  ErrorCode?: string;
  Identity?: string;
}

/** A session minted by get-token-for-login. */
export interface LoginToken {
  token: string;
  /** Present with the `header-token` CSRF strategy: send it back as `X-CSRF-Token`. */
  csrf?: string;
}

/** A raw HTTP answer from tinyauth. */
export interface TinyauthHttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}
