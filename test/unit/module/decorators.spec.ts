import { RequireAction, formatArn } from 'nestjs-tinyauth';
import { buildChecks, RequirementError } from '../../../src/guard/build-checks';
import type { ActionRequirement } from '../../../src/decorators/require-action.decorator';

const scope = { partition: 'tinyauth', service: 'test', region: 'default' };

describe('formatArn', () => {
  it('builds ARNs as flask_tinyauth does', () => {
    expect(formatArn(scope)).toBe('arn:tinyauth:test:default::');
    expect(formatArn(scope, 'apples')).toBe('arn:tinyauth:test:default::apples/');
    expect(formatArn(scope, 'apples', 'fred')).toBe('arn:tinyauth:test:default::apples/fred');
    expect(formatArn({ ...scope, partition: 'aws-cn', region: 'eu' }, 'a', 'b/c')).toBe(
      'arn:aws-cn:test:eu::a/b/c',
    );
  });
});

describe('@RequireAction', () => {
  it('rejects bad arguments when the class is defined', () => {
    expect(() => RequireAction('')).toThrow(/action must be a non-empty string/);
    expect(() => RequireAction('GetApple', undefined, 'name')).toThrow(/needs a resource class/);
    expect(() => RequireAction('GetApple', 'apples', 42 as unknown as string)).toThrow(
      /route parameter name or a function/,
    );
  });

  it('keeps several decorators on one handler in reading order', () => {
    class C {
      @RequireAction('A', 'x')
      @RequireAction('B', 'y')
      handler(): void {}
    }
    const stored = Reflect.getMetadata('tinyauth:require-action', C.prototype.handler) as ActionRequirement[];
    expect(stored.map((r) => r.action)).toEqual(['A', 'B']);
  });
});

describe('buildChecks', () => {
  it('denies (throws) when a route parameter is missing rather than checking too little', () => {
    expect(() =>
      buildChecks([{ action: 'GetApple', resourceClass: 'apples', resource: 'name' }], scope, {}, {}),
    ).toThrow(RequirementError);
  });

  it.each([[[]], [42], [['ok', 3]], [null]])('rejects a resource function returning %p', (value) => {
    const requirement = {
      action: 'GetApple',
      resourceClass: 'apples',
      resource: () => value as unknown as string,
    };
    expect(() => buildChecks([requirement], scope, {}, {})).toThrow(RequirementError);
  });

  it('turns a throwing resource function into a denial', () => {
    const requirement = {
      action: 'GetApple',
      resourceClass: 'apples',
      resource: () => {
        throw new Error('boom with secret');
      },
    };
    expect(() => buildChecks([requirement], scope, {}, {})).toThrow(/threw \(Error\)/);
  });
});
