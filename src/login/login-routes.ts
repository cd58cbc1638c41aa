/**
 * The URLs served by one login controller, all absolute paths. `loginRoutes(path)` gives them as declared; once the
 * app runs, the controller and the redirect filter use them as Nest mounted them (global prefix, `exclude`, URI
 * version, `RouterModule` path), e.g. `/api/login` and `/api/logout` under `setGlobalPrefix('api')`.
 */
export interface LoginRoutes {
  /** The sign-in page (GET), e.g. `/login`. */
  page: string;
  /** The form target (POST): the same path as `page` unless a global-prefix `exclude` names only one method. */
  action: string;
  /** Signs out (GET): the sibling of `page`, e.g. `/logout`, or `/account/logout` for `/account/signin`. */
  logout: string;
  /** The page's stylesheet, below `page`: `/login/static/login.css`. */
  stylesheet: string;
  /** The page's script, below `page`: `/login/static/login.js`. */
  script: string;
  /** The page's icon, below `page`: `/login/static/icon.svg`. */
  icon: string;
  /** Where a sign-in lands without a usable `next`: the root of the login routes' mount (`/`, `/api`, `/api/v1`). */
  home: string;
}

/** The handler of each route on a login controller, so the mounted paths can be read back from Nest. */
export const LOGIN_HANDLERS = {
  page: 'page',
  action: 'login',
  logout: 'logout',
  stylesheet: 'stylesheet',
  script: 'script',
  icon: 'icon',
} as const satisfies Record<Exclude<keyof LoginRoutes, 'home'>, string>;

/** Thrown for a login path that would make the routes ambiguous. */
export class LoginPathError extends Error {
  constructor(path: string, reason: string) {
    super(`nestjs-tinyauth: invalid login path ${JSON.stringify(path)}: ${reason}`);
    this.name = 'LoginPathError';
  }
}

/**
 * Normalizes a login path to one leading slash and no trailing one (`login/` → `/login`) and checks it is usable:
 * not the site root and not itself named `logout`.
 */
export function normalizeLoginPath(path: string): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '') throw new LoginPathError(path, 'the site root cannot be the login page');
  if (
    !/^[A-Za-z0-9._~\-/]+$/.test(trimmed) ||
    trimmed.split('/').some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new LoginPathError(path, 'use plain path segments (letters, digits, ".", "_", "~", "-")');
  }
  const normalized = `/${trimmed}`;
  if (normalized.endsWith('/logout'))
    throw new LoginPathError(path, 'it would collide with the logout route');
  return normalized;
}

/**
 * The routes for a login page at `path`. The rule: the page, its form post and its assets live at and below
 * `path`; logout is its sibling, `logout` in the same parent folder. So `/login` gives `/logout` (as
 * flask_tinyauth), `/auth` gives `/logout`, and `/account/signin` gives `/account/logout`.
 */
export function loginRoutes(path: string): LoginRoutes {
  const page = normalizeLoginPath(path);
  const parent = page.slice(0, page.lastIndexOf('/'));
  return {
    page,
    action: page,
    logout: `${parent}/logout`,
    stylesheet: `${page}/static/login.css`,
    script: `${page}/static/login.js`,
    icon: `${page}/static/icon.svg`,
    home: '/',
  };
}
