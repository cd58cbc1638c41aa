/**
 * Every combination of {nothing, @Public, @RequireAction, both} on {base class, class, handler}, the controllers
 * that carry them, and the metadata rule written out independently of the library's code.
 */
import { Controller, Get, type Type } from '@nestjs/common';
import { Public, RequireAction } from 'nestjs-tinyauth';

export type Declaration = 'nothing' | 'public' | 'require' | 'both';
const DECLARATIONS: Declaration[] = ['nothing', 'public', 'require', 'both'];
export type Combo = { base: Declaration; cls: Declaration; handler: Declaration };

export const COMBOS: Combo[] = [];
for (const base of DECLARATIONS)
  for (const cls of DECLARATIONS) for (const handler of DECLARATIONS) COMBOS.push({ base, cls, handler });
export const comboName = (c: Combo) => `base=${c.base} class=${c.cls} handler=${c.handler}`;
export const contradictory = (c: Combo) => c.base === 'both' || c.cls === 'both' || c.handler === 'both';

// alice may `Ping` (no resource class) but not `BaseOnly`: a request she makes tells which requirements applied.
export const ACTION = { base: 'BaseOnly', cls: 'Ping', handler: 'Ping' } as const;

/** The rule, written out: `open`, `undeclared`, or the actions checked. */
export function expectedAccess(c: Combo): 'open' | 'undeclared' | string[] {
  if (c.handler === 'public') return 'open';
  const nearest: ['base' | 'cls', Declaration] | undefined =
    c.cls !== 'nothing' ? ['cls', c.cls] : c.base !== 'nothing' ? ['base', c.base] : undefined;
  const actions: string[] = [];
  if (nearest !== undefined && nearest[1] !== 'public') actions.push(ACTION[nearest[0]]);
  if (c.handler === 'require' || c.handler === 'both') actions.push(ACTION.handler);
  if (actions.length > 0) return actions;
  return nearest?.[1] === 'public' ? 'open' : 'undeclared';
}

function decorate(target: object, declaration: Declaration, action: string, key?: string): void {
  const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
  const apply = (decorator: MethodDecorator & ClassDecorator) =>
    key === undefined
      ? (decorator as ClassDecorator)(target as Type)
      : (decorator as MethodDecorator)(target, key, descriptor!);
  if (declaration === 'require' || declaration === 'both') apply(RequireAction(action));
  if (declaration === 'public' || declaration === 'both') apply(Public());
}

export function controllerFor(c: Combo, path: string): Type {
  class Base {}
  class Routes extends Base {
    get(): string {
      return 'open!';
    }
  }
  Object.defineProperty(Base, 'name', { value: `Base_${path}` });
  Object.defineProperty(Routes, 'name', { value: `Routes_${path}` });
  decorate(Base, c.base, ACTION.base);
  decorate(Routes, c.cls, ACTION.cls);
  decorate(Routes.prototype, c.handler, ACTION.handler, 'get');
  Get()(Routes.prototype, 'get', Object.getOwnPropertyDescriptor(Routes.prototype, 'get')!);
  Controller(path)(Routes);
  return Routes;
}
