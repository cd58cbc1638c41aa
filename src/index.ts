// First: on a Node.js that cannot load Nest 12, say so before anything requires it.
import './runtime/check-nest-loadable';
export { TinyauthModule } from './module/tinyauth.module';
export type { TinyauthModuleOptions } from './module/tinyauth-module-options';
export type { TinyauthModuleExtras, CsrfStrategy } from './options/tinyauth-options.interface';
export type { ResolvedTinyauthOptions } from './options/tinyauth-options.interface';
export { tinyauthOptionsFromEnv } from './options/options-from-env';
export { TinyauthOptionsError } from './options/resolve-options';
export { TinyauthService } from './authorizer/tinyauth.service';
export type { Authorizer } from './authorizer/authorizer.interface';
export type { TinyauthCheck, TinyauthDecision, TinyauthDecisionSource } from './decision';
export { TinyauthGuard } from './guard/tinyauth.guard';
export { TinyauthMetadataError } from './checks/route-access.validator';
export { TinyauthClient } from './client/tinyauth-client';
export { TinyauthClientError, InvalidCredentials } from './client/client-errors';
export type { TinyauthFailureKind } from './client/client-errors';
export type { LoginToken } from './client/wire-types';
export { RequireAction } from './decorators/require-action.decorator';
export type { ActionRequirement, ResourceSelector } from './decorators/require-action.decorator';
export type {
  TinyauthSelectorInput,
  TinyauthContextType,
  TinyauthHttpRequest,
} from './request/selector-input';
export { TinyauthGraphQLError } from './outcome/transport-denials';
export type { TinyauthGraphQLErrorCode, TinyauthGraphQLErrorExtensions } from './outcome/transport-denials';
export { Public } from './decorators/public.decorator';
export { RedirectToLogin } from './decorators/redirect-to-login.decorator';
export { TinyauthIdentity, getTinyauthState } from './decorators/tinyauth-identity.decorator';
export type { TinyauthRequestState } from './decorators/tinyauth-identity.decorator';
export {
  AuthorizationFailed,
  NotAuthenticated,
  NotPermitted,
  TinyauthUnavailable,
} from './outcome/authorization-failed';
export type { AuthorizationFailedBody } from './outcome/authorization-failed';
export { LoginRequired } from './outcome/login-required';
export type { TinyauthErrorCode } from './outcome/error-codes';
export { formatArn } from './core/arn';
export type { ArnScope } from './core/arn';
export { requestFacts } from './request/request-facts';
export type { RequestFacts, HttpRequestLike } from './request/request-facts';
export type { TinyauthRequest } from './request/tinyauth-request';
export {
  TINYAUTH_OPTIONS,
  TINYAUTH_AUTHORIZER,
  TINYAUTH_LOGIN_PATH,
  TINYAUTH_REQUEST_PROPERTY,
  TINYAUTH_CLOCK,
} from './tinyauth.constants';
export type { TinyauthClock } from './login/login-rate-limiter';

// Web login flow (issue 4)
export { LoginController, LoginControllerBase, createLoginController } from './login/login.controller';
export type { LoginHttpRequest } from './login/login.controller';
export { LoginDto } from './login/login.dto';
export { LoginRedirectFilter, loginRedirectLocation } from './login/login-redirect.filter';
export { loginRoutes, LoginPathError } from './login/login-routes';
export type { LoginRoutes } from './login/login-routes';
export { safeNextPath } from './login/safe-next';
export { SESSION_COOKIE, CSRF_COOKIE } from './login/session-cookies';

// Decision strategies (remote / cached / local) and their caches.
export type { TinyauthMode } from './options/tinyauth-options.interface';
export { CachedAuthorizer } from './authorizer/cached.authorizer';
export type {
  DecisionCacheOptions,
  CachedDecisionStats,
  SharedDecisionTier,
} from './authorizer/cached.authorizer';
export type { SharedCacheStore } from './cache/shared-store';
export type { SharedKeyScope } from './cache/shared-entries';
export type { SharedDecisionCacheOptions } from './options/tinyauth-options.interface';
export { LocalAuthorizer } from './authorizer/local';
export type { LocalAuthorizerOptions } from './authorizer/local';
export { RemoteAuthorizer } from './authorizer/remote.authorizer';

// Denial explanations and the policy linter.
export { formatTinyauthExplanation } from './authorizer/explain/denial-explainer';
export type { TinyauthExplanation } from './authorizer/explain/denial-explainer';
export { explainPolicy, formatExplanation, lintPolicyDocument, lintPolicyInput, LINT_RULES } from './core';
export type {
  ConditionTrace,
  LintFinding,
  LintSettings,
  LintSeverity,
  NearMiss,
  PatternTrace,
  PolicyExplanation,
  StatementTrace,
} from './core';
// Observability: decision events, the audit log, OpenTelemetry spans and metrics.
export type {
  TinyauthDecisionEvent,
  TinyauthDecisionHandler,
  TinyauthDecisionOutcome,
  TinyauthCheckResult,
} from './decision-event';
export { tinyauthAuditLogger, AUDIT_LOG_CONTEXT } from './observability/audit-logger';
export type {
  TinyauthObservabilityOptions,
  TinyauthRpcHeadersReader,
  TinyauthTransportOptions,
} from './options/tinyauth-options.interface';
