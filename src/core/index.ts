/**
 * The pure core of nestjs-tinyauth: no I/O, no Nest, no HTTP. Policy evaluation, glob matching, scoped-key
 * derivation, HMAC JWTs and the identify procedure, all with tinyauth's exact semantics.
 */
export { compileGlob, globMatch, toCodePoints, type GlobMatcher } from './glob';
export { PolicyError } from './policy-error';
export {
  compilePolicy,
  evaluatePolicy,
  type CompiledPolicy,
  type PolicyContext,
  type PolicyDecision,
} from './policy';
export {
  explainPolicy,
  formatExplanation,
  type ConditionTrace,
  type NearMiss,
  type PatternTrace,
  type PolicyExplanation,
  type StatementPart,
  type StatementTrace,
} from './explain';
export {
  basicAuthKey,
  deriveScopedKey,
  deriveScopedKeySteps,
  jwtKey,
  utcDateStamp,
  type KeyRequestType,
  type KeyScope,
  type ScopedKeyInput,
} from './keys';
export {
  decodeJwtUnverified,
  jwtExpiry,
  signJwt,
  verifyJwt,
  type DecodedJwt,
  type JwtAlgorithm,
  type JwtDecodeResult,
  type JwtFailure,
  type JwtVerifyResult,
} from './jwt';
export {
  identify,
  type HeaderPairs,
  type IdentifyErrorCode,
  type IdentifyResult,
  type KeySource,
} from './identify';
export { headerValues, readSessionCookie, sessionCookieOf, type SessionCookie } from './session-cookie';
export { parseIpAddress, parseIpNetwork, networkContains, type IpAddress, type IpNetwork } from './ip';
export { isDict, pyEquals, type JsonObject } from './python-values';
export * from './arn';
export * from './lint';
