import { PUBLIC_KEY, REQUIRE_ACTION_KEY } from '../tinyauth.constants';
import type { ActionRequirement } from '../decorators/require-action.decorator';

/**
 * What the guard does for one handler of one class, from `@Public()` and `@RequireAction()`:
 * - `public`: let it through unchecked;
 * - `checked`: ask tinyauth for every requirement (never empty);
 * - `undeclared`: nothing declared anywhere, so it is denied (fail closed).
 */
export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'checked'; readonly requirements: readonly ActionRequirement[] }
  | { readonly kind: 'undeclared' };

interface OwnDeclarations {
  readonly isPublic: boolean;
  readonly requirements: readonly ActionRequirement[];
}

const PUBLIC: RouteAccess = { kind: 'public' };
const UNDECLARED: RouteAccess = { kind: 'undeclared' };

/** The decorators written on `target` itself (own metadata: a base class's decorators are not the subclass's). */
function ownDeclarations(target: object): OwnDeclarations {
  const requirements = Reflect.getOwnMetadata(REQUIRE_ACTION_KEY, target) as ActionRequirement[] | undefined;
  return {
    isPublic: Reflect.getOwnMetadata(PUBLIC_KEY, target) === true,
    requirements: Array.isArray(requirements) ? requirements : [],
  };
}

const declaresAnything = (d: OwnDeclarations): boolean => d.isPublic || d.requirements.length > 0;
const isContradictory = (d: OwnDeclarations): boolean => d.isPublic && d.requirements.length > 0;

/** A class or a method: anything decorators write metadata on. */
type DecoratedFunction = object;

const nameOf = (f: DecoratedFunction): string => {
  const name = (f as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : '(anonymous class)';
};

/** `cls`, then its base classes, nearest first. */
function* classChain(cls: DecoratedFunction): Generator<DecoratedFunction> {
  for (
    let c: unknown = cls;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    yield c;
  }
}

/**
 * Resolves `@Public()` / `@RequireAction()` for `handler` of `cls`. The most specific target that declares
 * anything wins: the handler, then its class, then each base class (own metadata only, so a subclass's
 * decorators replace its base's).
 * - `@Public()` alone on the handler opens it, even inside a class that requires an action (Nest's usual
 *   override of class metadata by handler metadata).
 * - `@RequireAction()` on the handler adds to the requirements of the nearest class that has any; those of a
 *   `@Public()` class are none.
 * - `@Public()` and `@RequireAction()` on the same target is a configuration error (see
 *   {@link findContradictions}); should such a route be reached, its requirements are checked, never skipped.
 */
export function resolveRouteAccess(cls: DecoratedFunction, handler: DecoratedFunction): RouteAccess {
  const own = ownDeclarations(handler);
  if (own.isPublic && own.requirements.length === 0) return PUBLIC;
  let nearest: OwnDeclarations | undefined;
  for (const c of classChain(cls)) {
    const declared = ownDeclarations(c);
    if (declaresAnything(declared)) {
      nearest = declared;
      break;
    }
  }
  const requirements = [...(nearest?.requirements ?? []), ...own.requirements];
  if (requirements.length > 0) return { kind: 'checked', requirements };
  return nearest?.isPublic === true ? PUBLIC : UNDECLARED;
}

/** Every method name of a class and its bases (not Object's), with the function that answers to it. */
function methodsOf(cls: DecoratedFunction): Map<string, DecoratedFunction> {
  const methods = new Map<string, DecoratedFunction>();
  for (const c of classChain(cls)) {
    const proto = (c as { prototype?: object }).prototype;
    if (proto === undefined || proto === null) continue;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || methods.has(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof descriptor?.value === 'function') methods.set(name, descriptor.value as DecoratedFunction);
    }
  }
  return methods;
}

/**
 * Every place in `cls` (its methods, itself and its base classes) that carries both `@Public()` and
 * `@RequireAction()`, named `Class.method` or `Class`. Used at start-up to refuse such configurations.
 */
export function findContradictions(cls: DecoratedFunction): string[] {
  const found: string[] = [];
  for (const c of classChain(cls)) {
    if (isContradictory(ownDeclarations(c))) found.push(nameOf(c));
  }
  for (const [name, fn] of methodsOf(cls)) {
    if (isContradictory(ownDeclarations(fn))) found.push(`${nameOf(cls)}.${name}`);
  }
  return found;
}
