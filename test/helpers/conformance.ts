/**
 * Typed loaders for the golden data recorded from the real tinyauth server (../shared/tinyauth-conformance, next to
 * the repository root). The data is read at run time, never copied into the repository.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Absolute path of the shared conformance data directory. */
export const conformanceDir = path.resolve(__dirname, '../../../shared/tinyauth-conformance');

/** One evaluator case: `expected` is what `tinyauth.policy.allow` returned. */
export interface PolicyCase {
  id: string;
  category: string;
  name: string;
  policy: unknown;
  action: string;
  resource: string;
  context: Record<string, unknown> | null;
  expected: 'Allow' | 'Deny' | 'Default';
  note?: string;
}

/** An input on which the real evaluator raises. */
export interface PolicyErrorCase {
  id: string;
  name: string;
  policy: unknown;
  action: string;
  resource: string;
  context: Record<string, unknown> | null;
  raises: string;
  message: string;
}

/** One scoped-key derivation vector. */
export interface SubkeyCase {
  id: string;
  region: string;
  service: string;
  date: string;
  identity: string;
  secret: string;
  basic_auth: { hex: string; base64: string };
  jwt: { hex: string; base64: string };
  basic_auth_steps_hex: string[];
  jwt_steps_hex: string[];
}

/** Inputs of the key a recorded token is signed with. */
export interface SigningKeyInputs {
  date?: string;
  identity: string;
  protocol: 'jwt' | 'basic-auth';
  region: string;
  secret: string;
  service: string;
}

/** A recorded HTTP request. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
}

/** A recorded HTTP response. */
export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  json?: unknown;
  text?: string;
  expires_minus_date_seconds?: number;
}

/** How a recorded request carries a session token (see the data README). */
export interface UsesToken {
  from_exchange?: string;
  mint_request?: {
    json: Record<string, unknown>;
    method: string;
    outer_authorization?: string;
    path: string;
  };
  recorded_token_claims?: Record<string, unknown>;
  minted_by?: string;
  alg?: string;
  claims?: Record<string, unknown>;
  signing_key_inputs?: SigningKeyInputs;
  where: string;
}

/** Facts about a token returned by get-token-for-login. */
export interface TokenFacts {
  claim_order: string[];
  claims: Record<string, unknown>;
  exp_minus_iat_seconds: number;
  header: Record<string, unknown>;
  signing_key_inputs: SigningKeyInputs;
}

/** One recorded exchange. */
export interface Exchange {
  id: string;
  name: string;
  group: string;
  request: RecordedRequest;
  response: RecordedResponse;
  note?: string;
  quirk?: boolean;
  version_sensitive?: string;
  uses_token?: UsesToken;
  token_facts?: TokenFacts;
}

/** http-exchanges.json. */
export interface HttpExchanges {
  server_config: { SECRET_SIGNING_KEY: string; [key: string]: unknown };
  fixtures: Record<string, unknown>;
  exchanges: Exchange[];
}

function load<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(conformanceDir, file), 'utf8')) as T;
}

/** policy-cases.json. */
export function loadPolicyCases(): { cases: PolicyCase[]; error_cases: PolicyErrorCase[] } {
  return load('policy-cases.json');
}

/** subkey-cases.json. */
export function loadSubkeyCases(): { cases: SubkeyCase[] } {
  return load('subkey-cases.json');
}

/** http-exchanges.json. */
export function loadHttpExchanges(): HttpExchanges {
  return load('http-exchanges.json');
}
