import { Injectable, RequestMethod, type Type } from '@nestjs/common';
import type { VersionValue } from '@nestjs/common/interfaces';
import { METHOD_METADATA, MODULE_PATH, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants';
import { ApplicationConfig, ModulesContainer } from '@nestjs/core';
// Nest's own path builder (public as a deep path in Nest 10 to 12): the very function its router registers routes
// with, so global prefix, `exclude`, URI versions and RouterModule paths are applied exactly as Nest applies them.
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory';
import { LOGIN_HANDLERS, loginRoutes, type LoginRoutes } from './login-routes';

/** Class metadata of a login controller: the path it was declared with (normalized, e.g. `/login`). */
export const LOGIN_CONTROLLER_PATH = 'tinyauth:login-controller-path';

type HandlerKey = keyof typeof LOGIN_HANDLERS;
const HANDLER_KEYS = Object.keys(LOGIN_HANDLERS) as HandlerKey[];

/** One login controller class and the module that hosts it (RouterModule paths belong to the module). */
interface HostedController {
  controller: Type;
  module: Type;
}

const withLeadingSlash = (path: string | undefined): string =>
  !path ? '' : path.startsWith('/') ? path : `/${path}`;

/** Comparable form of a request path: Express and Fastify match routes case-blind and with a trailing slash. */
const comparable = (path: string): string => path.toLowerCase().replace(/(.)\/+$/, '$1');

function declaredPath(controller: Type): string | undefined {
  const path: unknown = Reflect.getMetadata(LOGIN_CONTROLLER_PATH, controller);
  return typeof path === 'string' ? path : undefined;
}

/** Every login controller of the app, in module order. */
function hostedLoginControllers(modules: ModulesContainer): HostedController[] {
  const found: HostedController[] = [];
  for (const moduleRef of modules.values()) {
    for (const wrapper of moduleRef.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (controller && declaredPath(controller) !== undefined)
        found.push({ controller, module: moduleRef.metatype });
    }
  }
  return found;
}

/** Nest's path builder with the app's global prefix, exclusions and versioning, for one hosted controller. */
class MountedPaths {
  private readonly factory: RoutePathFactory;
  private readonly modulePath: string | undefined;
  private readonly controllerVersion: VersionValue | undefined;

  constructor(
    private readonly config: ApplicationConfig,
    modules: ModulesContainer,
    private readonly hosted: HostedController,
  ) {
    this.factory = new RoutePathFactory(config);
    // As Nest's RoutesResolver reads it: RouterModule stores the path per application, older Nest without the id.
    const applicationId = (modules as { applicationId?: string }).applicationId ?? '';
    this.modulePath = (Reflect.getMetadata(MODULE_PATH + applicationId, hosted.module) ??
      Reflect.getMetadata(MODULE_PATH, hosted.module)) as string | undefined;
    const versioning = config.getVersioning();
    this.controllerVersion = versioning
      ? ((Reflect.getMetadata(VERSION_METADATA, hosted.controller) as VersionValue | undefined) ??
        versioning.defaultVersion)
      : undefined;
  }

  /** The paths Nest serves `methodPath` at (one per URI version), for `requestMethod`. */
  paths(methodPath: string, requestMethod: RequestMethod, methodVersion?: VersionValue): string[] {
    const declared: unknown = Reflect.getMetadata(PATH_METADATA, this.hosted.controller);
    const controllerPaths = (Array.isArray(declared) ? declared : [declared]).map((p) =>
      withLeadingSlash(typeof p === 'string' ? p : ''),
    );
    return controllerPaths.flatMap((ctrlPath) =>
      this.factory.create(
        {
          ctrlPath,
          modulePath: this.modulePath,
          globalPrefix: withLeadingSlash(this.config.getGlobalPrefix()),
          controllerVersion: this.controllerVersion,
          versioningOptions: this.config.getVersioning(),
          methodPath,
          methodVersion,
        },
        requestMethod,
      ),
    );
  }

  /** The paths of one handler of the controller, read from its route decorator. */
  handler(name: string): string[] {
    const handler = (this.hosted.controller.prototype as Record<string, unknown>)[name];
    if (typeof handler !== 'function') return [];
    const path = Reflect.getMetadata(PATH_METADATA, handler) as string;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
    const version = Reflect.getMetadata(VERSION_METADATA, handler) as VersionValue | undefined;
    return this.paths(path, method, version);
  }

  /** One `LoginRoutes` per mount (per URI version, per controller path). */
  routes(): LoginRoutes[] {
    const byKey = Object.fromEntries(
      HANDLER_KEYS.map((key) => [key, this.handler(LOGIN_HANDLERS[key])]),
    ) as Record<HandlerKey, string[]>;
    const home = this.paths('/', RequestMethod.GET);
    return byKey.page.map((page, i) => ({
      page,
      action: byKey.action[i] ?? page,
      logout: byKey.logout[i],
      stylesheet: byKey.stylesheet[i],
      script: byKey.script[i],
      icon: byKey.icon[i],
      home: home[i] ?? '/',
    }));
  }
}

/**
 * Makes `login: { path: '/api/login' }` under `setGlobalPrefix('api')` mean `/api/login`, not `/api/api/login`: a
 * declared path that already starts with the global prefix is mounted without it, and Nest adds it back. Only when
 * Nest would indeed prefix that shorter path (an `exclude` can keep it bare; then the path is kept as declared).
 *
 * It rewrites the route paths of the app's own login controller classes (one class per `createLoginController`
 * call), because the prefix is unknown when the class is declared and Nest reads the paths only later, when it
 * registers the routes. Called from `TinyauthModule.configure`, which Nest runs just before that. Idempotent: the
 * paths are always derived again from the declared one.
 */
export function alignLoginPathsWithPrefix(config: ApplicationConfig, modules: ModulesContainer): void {
  const prefix = withLeadingSlash(config.getGlobalPrefix()).replace(/\/+$/, '');
  for (const hosted of hostedLoginControllers(modules)) {
    const declared = declaredPath(hosted.controller) as string;
    let effective = declared;
    if (prefix && declared.startsWith(`${prefix}/`)) {
      const bare = declared.slice(prefix.length);
      const mounted = new MountedPaths(config, modules, hosted).paths(bare, RequestMethod.GET);
      if (mounted.some((p) => comparable(p).startsWith(comparable(`${prefix}/`)))) effective = bare;
    }
    const routes = loginRoutes(effective);
    for (const key of HANDLER_KEYS) {
      const handler = (hosted.controller.prototype as Record<string, unknown>)[LOGIN_HANDLERS[key]];
      if (typeof handler === 'function') Reflect.defineMetadata(PATH_METADATA, routes[key], handler);
    }
  }
}

/**
 * Where the app's login controllers are really mounted, read from Nest's own configuration the first time it is
 * needed (a request can only arrive after `app.init()`, when the global prefix, versioning and routes are final).
 * The login page and the redirect filter take every URL they emit from here.
 */
@Injectable()
export class LoginMounts {
  private resolved?: Array<{ controller: Type; routes: LoginRoutes[] }>;

  constructor(
    private readonly config: ApplicationConfig,
    private readonly modules: ModulesContainer,
  ) {}

  /** The mounts of one login controller class, in Nest's order (empty if the app does not host it). */
  routesOf(controller: Type): LoginRoutes[] {
    return this.all()
      .filter((entry) => entry.controller === controller)
      .flatMap((entry) => entry.routes);
  }

  /** The mount of `controller` that served `requestPath` (a URI version, say), else its first mount. */
  routesFor(controller: Type, requestPath: string, fallback: LoginRoutes): LoginRoutes {
    const mounts = this.routesOf(controller);
    const wanted = comparable(requestPath);
    const served = mounts.find((routes) => HANDLER_KEYS.some((key) => comparable(routes[key]) === wanted));
    return served ?? mounts[0] ?? fallback;
  }

  /**
   * The login page a visitor of `requestPath` is sent to: of every login mount in the app, the one sharing the
   * longest leading part with that path (so a `/v2/...` page goes to `/v2/login`), the first on a tie. Undefined
   * when the app mounts no login controller.
   */
  forRedirect(requestPath: string): LoginRoutes | undefined {
    let best: LoginRoutes | undefined;
    let bestLength = -1;
    const wanted = comparable(requestPath);
    for (const routes of this.all().flatMap((entry) => entry.routes)) {
      const page = comparable(routes.page);
      let shared = 0;
      while (shared < page.length && page[shared] === wanted[shared]) shared++;
      if (shared > bestLength) {
        best = routes;
        bestLength = shared;
      }
    }
    return best;
  }

  private all(): Array<{ controller: Type; routes: LoginRoutes[] }> {
    this.resolved ??= hostedLoginControllers(this.modules).map((hosted) => ({
      controller: hosted.controller,
      routes: new MountedPaths(this.config, this.modules, hosted).routes(),
    }));
    return this.resolved;
  }
}
