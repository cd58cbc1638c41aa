/**
 * Nest 12 is published as ES modules only, and this package is CommonJS: it loads `@nestjs/common` with `require()`,
 * which Node.js can do for ES modules (`require(esm)`) from 20.19 and 22.12 on. On an older Node.js that `require()`
 * fails with `ERR_REQUIRE_ESM` somewhere inside the import graph; this check runs first and names the problem.
 */
import { readFileSync } from 'node:fs';

/** The Node.js versions that load ES modules with `require()` by default (Node.js's `require(esm)` release notes). */
export const REQUIRE_ESM_NODE_RANGE = '^20.19.0 || >=22.12.0';

/** The running Node.js as far as `require(esm)` is concerned. */
export interface NodeRuntime {
  /** `process.version`, e.g. `v20.18.3`. */
  version: string;
  /**
   * `process.features.require_module` (Node.js >= 20.19, 22.10): whether `require(esm)` is on, flags included.
   * `undefined` on older versions, which then count by version alone.
   */
  requireModule?: boolean;
}

/** Whether this Node.js can `require()` an ES module. */
export function canRequireEsm(node: NodeRuntime): boolean {
  if (typeof node.requireModule === 'boolean') return node.requireModule;
  const [major = 0, minor = 0] = node.version.replace(/^v/, '').split('.').map(Number);
  if (major === 20) return minor >= 19;
  if (major === 22) return minor >= 12;
  return major >= 23;
}

/**
 * The problem with loading this `@nestjs/common` version on this Node.js, or `undefined` when there is none (Nest 10
 * and 11 are CommonJS and load anywhere; an unreadable version is left to Node.js's own error).
 */
export function nestEsmSupportProblem(
  nestVersion: string | undefined,
  node: NodeRuntime,
): string | undefined {
  const nestMajor = Number(nestVersion?.split('.')[0]);
  if (!(nestMajor >= 12) || canRequireEsm(node)) return undefined;
  return (
    `nestjs-tinyauth: @nestjs/common ${nestVersion} is published as ES modules only, and Node.js ${node.version} ` +
    `cannot load ES modules with require() (require(esm) needs Node.js ${REQUIRE_ESM_NODE_RANGE}). ` +
    'Upgrade Node.js, or use Nest 11.'
  );
}

/** The installed `@nestjs/common` version, as this package resolves it; `undefined` if it cannot be read. */
function installedNestVersion(): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(require.resolve('@nestjs/common/package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Throws the problem, if any, with loading the installed Nest on the running Node.js. Runs when this package is
 * imported, before anything of Nest is.
 *
 * @throws Error naming the Nest version, the Node.js version and the range that works.
 */
export function assertNestLoadable(
  nestVersion = installedNestVersion(),
  node: NodeRuntime = {
    version: process.version,
    requireModule: (process.features as { require_module?: boolean }).require_module,
  },
): void {
  const problem = nestEsmSupportProblem(nestVersion, node);
  if (problem) throw new Error(problem);
}
