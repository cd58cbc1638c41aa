// First: on a Node.js that cannot load Nest 12, say so before anything requires it.
import './runtime/check-nest-loadable';

// The public API: the module and its options, the guard and decorators, the service, the denials, the login
// page, the strategy seam. Everything else is internal; the policy tools are in `nestjs-tinyauth/policy`, the
// compatible server in `nestjs-tinyauth/testing`, the health indicator in `nestjs-tinyauth/terminus`.

// Module and options
export { TinyauthModule } from './module/tinyauth.module';
export type { TinyauthModuleOptions } from './module/tinyauth-module-options';
export type { ResolvedTinyauthOptions } from './options/tinyauth-options.interface';
export { tinyauthOptionsFromEnv } from './options/options-from-env';
export { TinyauthOptionsError } from './options/resolve-options';
export { TINYAUTH_OPTIONS, TINYAUTH_CLOCK } from './tinyauth.constants';

// Guard and decorators
export { TinyauthGuard } from './guard/tinyauth.guard';
export { TinyauthMetadataError } from './checks/route-access.validator';
export { RequireAction } from './decorators/require-action.decorator';
export type { ResourceSelector } from './decorators/require-action.decorator';
export type { TinyauthSelectorInput } from './request/selector-input';
export type { TinyauthRequest } from './request/tinyauth-request';
export { Public } from './decorators/public.decorator';
export { RedirectToLogin } from './decorators/redirect-to-login.decorator';
export { TinyauthIdentity, getTinyauthState } from './decorators/tinyauth-identity.decorator';

// Decisions and checks inside handlers
export { TinyauthService } from './authorizer/tinyauth.service';
export type { TinyauthCheck, TinyauthDecision } from './decision';
export { formatTinyauthExplanation } from './authorizer/explain/denial-explainer';
export type { TinyauthExplanation } from './authorizer/explain/denial-explainer';

// Denials
export {
  AuthorizationFailed,
  NotAuthenticated,
  NotPermitted,
  TinyauthUnavailable,
} from './outcome/authorization-failed';
export { LoginRequired } from './outcome/login-required';
export { TinyauthGraphQLError } from './outcome/transport-denials';

// Login flow
export { LoginController, createLoginController } from './login/login.controller';
export { InvalidCredentials } from './client/client-errors';

// Strategy seam: the `authorizer` option
export type { Authorizer } from './authorizer/authorizer.interface';
export type { RequestFacts } from './request/request-facts';
export type { TinyauthAuthorizerFactory } from './module/authorizer-option';
export { TinyauthClient } from './client/tinyauth-client';

// Observability
export type { TinyauthDecisionEvent } from './decision-event';
export { tinyauthAuditLogger } from './observability/audit-logger';
