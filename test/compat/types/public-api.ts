/**
 * Uses every export of `nestjs-tinyauth`, `nestjs-tinyauth/testing` and `nestjs-tinyauth/policy` as a consumer
 * would, so that `tsc --noEmit` under each TypeScript version and module resolution proves the published
 * declarations. `valueExports` (and its siblings) name every runtime export: a new one fails this check until it is
 * used here too, and a removed one fails it until it is removed here.
 */
import 'reflect-metadata';
import {
  Catch,
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import * as api from 'nestjs-tinyauth';
import {
  AuthorizationFailed,
  createLoginController,
  formatTinyauthExplanation,
  getTinyauthState,
  InvalidCredentials,
  LoginController,
  LoginRequired,
  NotAuthenticated,
  NotPermitted,
  Public,
  RedirectToLogin,
  RequireAction,
  TINYAUTH_CLOCK,
  TINYAUTH_OPTIONS,
  tinyauthAuditLogger,
  TinyauthClient,
  TinyauthGraphQLError,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthMetadataError,
  TinyauthModule,
  tinyauthOptionsFromEnv,
  TinyauthOptionsError,
  TinyauthService,
  TinyauthUnavailable,
  type Authorizer,
  type RequestFacts,
  type ResolvedTinyauthOptions,
  type ResourceSelector,
  type TinyauthAuthorizerFactory,
  type TinyauthCheck,
  type TinyauthDecision,
  type TinyauthDecisionEvent,
  type TinyauthExplanation,
  type TinyauthModuleOptions,
  type TinyauthRequest,
  type TinyauthSelectorInput,
} from 'nestjs-tinyauth';
import * as testing from 'nestjs-tinyauth/testing';
import {
  demoFixture,
  startTinyauthServer,
  type Fixture,
  type TinyauthServer,
  type TinyauthServerOptions,
} from 'nestjs-tinyauth/testing';
import * as policy from 'nestjs-tinyauth/policy';
import {
  explainPolicy,
  formatExplanation,
  LINT_RULES,
  lintPolicyDocument,
  lintPolicyInput,
  type ConditionTrace,
  type LintFinding,
  type LintSettings,
  type LintSeverity,
  type NearMiss,
  type PatternTrace,
  type PolicyExplanation,
  type StatementTrace,
} from 'nestjs-tinyauth/policy';

export const valueExports = {
  AuthorizationFailed,
  createLoginController,
  formatTinyauthExplanation,
  getTinyauthState,
  InvalidCredentials,
  LoginController,
  LoginRequired,
  NotAuthenticated,
  NotPermitted,
  Public,
  RedirectToLogin,
  RequireAction,
  TINYAUTH_CLOCK,
  TINYAUTH_OPTIONS,
  tinyauthAuditLogger,
  TinyauthClient,
  TinyauthGraphQLError,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthMetadataError,
  TinyauthModule,
  tinyauthOptionsFromEnv,
  TinyauthOptionsError,
  TinyauthService,
  TinyauthUnavailable,
} satisfies { [K in Exclude<keyof typeof api, 'default'>]: unknown };
export const testingExports = {
  demoFixture,
  startTinyauthServer,
} satisfies { [K in Exclude<keyof typeof testing, 'default'>]: unknown };
export const policyExports = {
  explainPolicy,
  formatExplanation,
  LINT_RULES,
  lintPolicyDocument,
  lintPolicyInput,
} satisfies { [K in Exclude<keyof typeof policy, 'default'>]: unknown };
type Exactly<T, U> = [T] extends [U] ? ([U] extends [T] ? true : never) : never;
export const allValuesListed: Exactly<keyof typeof valueExports, Exclude<keyof typeof api, 'default'>> = true;
export const allTestingValuesListed: Exactly<
  keyof typeof testingExports,
  Exclude<keyof typeof testing, 'default'>
> = true;
export const allPolicyValuesListed: Exactly<
  keyof typeof policyExports,
  Exclude<keyof typeof policy, 'default'>
> = true;

type QueryRequest = TinyauthRequest & { query: { names?: string } };
const byName: ResourceSelector = (input) => input.params.name;
const byQuery = (input: TinyauthSelectorInput<QueryRequest>): string[] =>
  input.type === 'http' ? String(input.request.query.names ?? '').split(',') : [];

@Controller('apples')
@RequireAction('ListApples', 'apples')
export class ApplesController {
  @Get(':name')
  @RequireAction('GetApple', 'apples', byName)
  get(@TinyauthIdentity() user: string): string {
    return user;
  }

  @Get('some')
  @RequireAction<QueryRequest>('GetApple', 'apples', byQuery)
  some(): string[] {
    return [];
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
  catch(exception: AuthorizationFailed, host: ArgumentsHost): object {
    void host;
    return { Authorized: false, ErrorCode: exception.decision.errorCode ?? 'NotPermitted' };
  }
}

/** A class strategy: created by Nest's DI, with the module's client and options injected. */
@Injectable()
export class OfficeHoursAuthorizer implements Authorizer {
  constructor(
    private readonly client: TinyauthClient,
    @Inject(TINYAUTH_OPTIONS) private readonly options: ResolvedTinyauthOptions,
  ) {}

  async authorize(facts: RequestFacts, checks: readonly TinyauthCheck[]): Promise<TinyauthDecision> {
    const permit: Record<string, string[]> = {};
    for (const { action, resource } of checks) (permit[action] ??= []).push(resource);
    const answer = await this.client.authorizeByToken({ permit, headers: facts.headers, context: {} });
    return {
      authorized: answer.Authorized && this.options.service === 'apples',
      identity: answer.Identity,
      errorCode: answer.ErrorCode,
      permitted: answer.Permitted,
      notPermitted: answer.NotPermitted,
    };
  }
}

/** A factory strategy wrapping the built-in cached one. */
const auditedCache: TinyauthAuthorizerFactory = ({ strategies, options }) => {
  const cached = strategies.cached();
  return {
    authorize: (facts, checks, context) =>
      options.service === 'apples'
        ? cached.authorize(facts, checks, context)
        : cached.authorize(facts, [], context),
    invalidate: (identity) => cached.invalidate?.(identity) ?? Promise.resolve(),
  };
};

const options: TinyauthModuleOptions = {
  endpoint: 'http://127.0.0.1:5000/',
  accessKeyId: 'AK',
  secretAccessKey: 'secret',
  service: 'apples',
  csrfStrategy: 'header-token',
  mode: 'cached',
  onDecision: (event: TinyauthDecisionEvent) => void event.outcome,
};

@Module({
  imports: [
    TinyauthModule.forRoot({ ...options, isGlobal: true, login: { path: '/account/signin' } }),
    TinyauthModule.forRootAsync({ login: true, useFactory: () => tinyauthOptionsFromEnv(process.env) }),
    TinyauthModule.forRoot({ ...options, mode: undefined, authorizer: OfficeHoursAuthorizer }),
    TinyauthModule.forRoot({ ...options, mode: undefined, authorizer: auditedCache }),
  ],
  controllers: [ApplesController, createLoginController('/signin'), LoginController],
  providers: [
    { provide: APP_GUARD, useClass: TinyauthGuard },
    { provide: TINYAUTH_CLOCK, useValue: { now: () => Date.now() } },
  ],
})
export class AppModule {}

export async function everythingElse(service: TinyauthService): Promise<string[]> {
  const check: TinyauthCheck = { action: 'ListApples', resource: service.arn('apples') };
  const request = { method: 'GET', url: '/apples', headers: {} };
  const decision: TinyauthDecision = await service.authorize(request, [check]);
  const explanation: TinyauthExplanation = await service.explain(request, [check]);
  const state = getTinyauthState(request);
  const token = await service.getTokenForLogin('alice', 'pass', 'header-token');
  const errors: Error[] = [
    new NotAuthenticated(decision),
    new NotPermitted(decision),
    new TinyauthUnavailable(decision),
    new LoginRequired(decision, '/apples'),
    new TinyauthGraphQLError(decision),
    new InvalidCredentials(),
    new TinyauthOptionsError(['endpoint: required']),
    new TinyauthMetadataError(['ApplesController.get: nothing declared']),
  ];
  void [state, tinyauthAuditLogger()];
  return [formatTinyauthExplanation(explanation), token.token, ...errors.map((e) => e.message)];
}

export async function testingApi(): Promise<void> {
  const fixture: Fixture = {
    users: [{ username: 'alice', password: 'pass', policies: [] }, ...(demoFixture.users ?? [])],
  };
  const serverOptions: TinyauthServerOptions = { fixture, port: 0 };
  const server: TinyauthServer = await startTinyauthServer(serverOptions);
  await server.store.reload(fixture);
  await server.close();
}

export function policyApi(): string[] {
  const document = { Statement: [{ Effect: 'Allow', Action: 'apples:*', Resource: '*' }] };
  const settings: LintSettings = { partition: 'tinyauth', contextKeys: ['Team'] };
  const findings: LintFinding[] = [
    ...lintPolicyDocument(document, settings),
    ...lintPolicyInput(document).findings,
  ];
  const severity: LintSeverity | undefined = findings[0]?.severity;
  const explanation: PolicyExplanation = explainPolicy(
    document,
    'apples:GetApple',
    'arn:tinyauth:apples:::x',
    {},
  );
  const statement: StatementTrace | undefined = explanation.statements[0];
  const traces: Array<ConditionTrace | PatternTrace | NearMiss | undefined> = [];
  void [statement, traces, severity, LINT_RULES];
  return [formatExplanation(explanation)];
}
