/**
 * Uses every export of `nestjs-tinyauth` and `nestjs-tinyauth/testing` as a consumer would, so that `tsc --noEmit`
 * under each TypeScript version and module resolution proves the published declarations. `valueExports` names
 * every runtime export: a new one fails this check until it is used here too.
 */
import 'reflect-metadata';
import { Catch, Controller, Get, Module, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import * as api from 'nestjs-tinyauth';
import {
  TinyauthMetadataError,
  TinyauthGraphQLError,
  TINYAUTH_CLOCK,
  formatTinyauthExplanation,
  explainPolicy,
  formatExplanation,
  lintPolicyDocument,
  lintPolicyInput,
  LINT_RULES,
  tinyauthAuditLogger,
  AUDIT_LOG_CONTEXT,
  AuthorizationFailed,
  CachedAuthorizer,
  createLoginController,
  CSRF_COOKIE,
  formatArn,
  getTinyauthState,
  InvalidCredentials,
  LocalAuthorizer,
  LoginController,
  LoginControllerBase,
  LoginDto,
  LoginPathError,
  LoginRedirectFilter,
  loginRedirectLocation,
  LoginRequired,
  loginRoutes,
  NotAuthenticated,
  NotPermitted,
  Public,
  RedirectToLogin,
  RemoteAuthorizer,
  requestFacts,
  RequireAction,
  safeNextPath,
  SESSION_COOKIE,
  TINYAUTH_AUTHORIZER,
  TINYAUTH_LOGIN_PATH,
  TINYAUTH_OPTIONS,
  TINYAUTH_REQUEST_PROPERTY,
  TinyauthClient,
  TinyauthClientError,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
  tinyauthOptionsFromEnv,
  TinyauthOptionsError,
  TinyauthService,
  TinyauthUnavailable,
  type ActionRequirement,
  type ArnScope,
  type AuthorizationFailedBody,
  type Authorizer,
  type CsrfStrategy,
  type DecisionCacheOptions,
  type HttpRequestLike,
  type LocalAuthorizerOptions,
  type LoginHttpRequest,
  type LoginRoutes,
  type LoginToken,
  type RequestFacts,
  type ResolvedTinyauthOptions,
  type ResourceSelector,
  type TinyauthCheck,
  type TinyauthDecision,
  type TinyauthErrorCode,
  type TinyauthFailureKind,
  type TinyauthMode,
  type TinyauthModuleExtras,
  type TinyauthModuleOptions,
  type TinyauthRequestState,
} from 'nestjs-tinyauth';
import * as testing from 'nestjs-tinyauth/testing';
import {
  demoFixture,
  loadFixtureFile,
  startTinyauthServer,
  TinyauthStore,
  validateFixture,
  type Fixture,
  type FixtureGroup,
  type FixturePolicy,
  type FixtureUser,
  type MergedPolicy,
  type TinyauthServer,
  type TinyauthServerOptions,
  type UserSummary,
} from 'nestjs-tinyauth/testing';

export const valueExports = {
  TinyauthMetadataError,
  TinyauthGraphQLError,
  TINYAUTH_CLOCK,
  formatTinyauthExplanation,
  explainPolicy,
  formatExplanation,
  lintPolicyDocument,
  lintPolicyInput,
  LINT_RULES,
  tinyauthAuditLogger,
  AUDIT_LOG_CONTEXT,
  AuthorizationFailed,
  CachedAuthorizer,
  createLoginController,
  CSRF_COOKIE,
  formatArn,
  getTinyauthState,
  InvalidCredentials,
  LocalAuthorizer,
  LoginController,
  LoginControllerBase,
  LoginDto,
  LoginPathError,
  LoginRedirectFilter,
  loginRedirectLocation,
  LoginRequired,
  loginRoutes,
  NotAuthenticated,
  NotPermitted,
  Public,
  RedirectToLogin,
  RemoteAuthorizer,
  requestFacts,
  RequireAction,
  safeNextPath,
  SESSION_COOKIE,
  TINYAUTH_AUTHORIZER,
  TINYAUTH_LOGIN_PATH,
  TINYAUTH_OPTIONS,
  TINYAUTH_REQUEST_PROPERTY,
  TinyauthClient,
  TinyauthClientError,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
  tinyauthOptionsFromEnv,
  TinyauthOptionsError,
  TinyauthService,
  TinyauthUnavailable,
} satisfies { [K in Exclude<keyof typeof api, 'default'>]: unknown };
export const testingExports = {
  demoFixture,
  loadFixtureFile,
  startTinyauthServer,
  TinyauthStore,
  validateFixture,
} satisfies { [K in Exclude<keyof typeof testing, 'default'>]: unknown };
type Exactly<T, U> = [T] extends [U] ? ([U] extends [T] ? true : never) : never;
export const allValuesListed: Exactly<keyof typeof valueExports, Exclude<keyof typeof api, 'default'>> = true;
export const allTestingValuesListed: Exactly<
  keyof typeof testingExports,
  Exclude<keyof typeof testing, 'default'>
> = true;

const byName: ResourceSelector = (input) => input.params.name;
const requirement: ActionRequirement = { action: 'GetApple', resourceClass: 'apples', resource: byName };

@Controller('apples')
@RequireAction('ListApples', 'apples')
export class ApplesController {
  @Get(':name')
  @RequireAction(requirement.action, requirement.resourceClass, requirement.resource)
  get(@TinyauthIdentity() user: string): string {
    return user;
  }

  @Get()
  @Public()
  @RedirectToLogin()
  list(): string[] {
    return [];
  }
}

@Catch(AuthorizationFailed)
export class DenialFilter implements ExceptionFilter<AuthorizationFailed> {
  catch(exception: AuthorizationFailed, host: ArgumentsHost): AuthorizationFailedBody {
    const code: TinyauthErrorCode | string | undefined = exception.decision.errorCode;
    void host;
    return { Authorized: false, ErrorCode: code ?? 'NotPermitted' };
  }
}

const csrf: CsrfStrategy = 'header-token';
const mode: TinyauthMode = 'cached';
const options: TinyauthModuleOptions = {
  endpoint: 'http://127.0.0.1:5000/',
  accessKeyId: 'AK',
  secretAccessKey: 'secret',
  service: 'apples',
  csrfStrategy: csrf,
  mode,
};
const extras: TinyauthModuleExtras = { isGlobal: true, login: { path: '/account/signin' } };

@Module({
  imports: [
    TinyauthModule.forRoot({ ...options, ...extras }),
    TinyauthModule.forRootAsync({ login: true, useFactory: () => tinyauthOptionsFromEnv(process.env) }),
  ],
  controllers: [ApplesController, createLoginController('/signin'), LoginController],
  providers: [{ provide: APP_GUARD, useClass: TinyauthGuard }],
})
export class AppModule {}

export async function everythingElse(service: TinyauthService, client: TinyauthClient): Promise<string[]> {
  const check: TinyauthCheck = { action: 'ListApples', resource: service.arn('apples') };
  const request: HttpRequestLike = { method: 'GET', url: '/apples', headers: {} };
  const facts: RequestFacts = requestFacts(request);
  const decision: TinyauthDecision = await service.authorize(request, [check]);
  const state: TinyauthRequestState | undefined = getTinyauthState(request);
  const token: LoginToken = await service.getTokenForLogin('alice', 'pass', csrf);
  const scope: ArnScope = { partition: 'tinyauth', service: 'apples', region: 'default' };
  const routes: LoginRoutes = loginRoutes('/login');
  const loginRequest: LoginHttpRequest = { headers: {} };
  const remote: Authorizer = new RemoteAuthorizer(client);
  const cacheOptions: DecisionCacheOptions = { cacheTtlMs: 5000, cacheMaxEntries: 100 };
  const cached = new CachedAuthorizer(remote, cacheOptions);
  const localOptions: LocalAuthorizerOptions = {
    service: 'apples',
    cacheMaxEntries: 100,
    maxStaleMs: 600_000,
    negativeCacheTtlMs: 30_000,
  };
  const local = new LocalAuthorizer(client, remote, localOptions);
  const kind: TinyauthFailureKind = 'timeout';
  const errors: Error[] = [
    new NotAuthenticated(decision),
    new NotPermitted(decision),
    new TinyauthUnavailable(decision),
    new LoginRequired(decision, '/apples'),
    new TinyauthClientError(kind, 'timed out'),
    new InvalidCredentials(),
    new TinyauthOptionsError(['endpoint: required']),
    new LoginPathError('x', 'must start with /'),
  ];
  const resolved: ResolvedTinyauthOptions | undefined = undefined;
  const dto = new LoginDto();
  dto.username = 'alice';
  const base: typeof LoginControllerBase = LoginControllerBase;
  void [facts, state, loginRequest, cached, local, resolved, base, LoginRedirectFilter];
  void (await local.authorize(facts, [check]));
  return [
    formatArn(scope, 'apples', 'fuji'),
    token.token,
    routes.page,
    loginRedirectLocation('/login', '/apples'),
    safeNextPath('/apples'),
    SESSION_COOKIE,
    CSRF_COOKIE,
    String(TINYAUTH_OPTIONS),
    String(TINYAUTH_AUTHORIZER),
    String(TINYAUTH_LOGIN_PATH),
    String(TINYAUTH_REQUEST_PROPERTY),
    ...errors.map((e) => e.message),
  ];
}

export async function testingApi(): Promise<void> {
  const policy: FixturePolicy = {
    name: 'all',
    policy: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  };
  const group: FixtureGroup = { name: 'admins', policies: [policy] };
  const user: FixtureUser = { username: 'alice', password: 'pass', groups: ['admins'] };
  const fixture: Fixture = validateFixture({ users: [user, ...(demoFixture.users ?? [])], groups: [group] });
  const serverOptions: TinyauthServerOptions = { fixture, port: 0 };
  const server: TinyauthServer = await startTinyauthServer(serverOptions);
  const summary: UserSummary[] = server.store.summary();
  const merged: MergedPolicy | undefined = server.store.mergedPolicy('alice');
  const store = new TinyauthStore();
  await store.reload(loadFixtureFile('fixture.json'));
  void [summary, merged];
  await server.close();
}
