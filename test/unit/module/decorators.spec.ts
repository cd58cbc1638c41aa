import { RequireAction } from 'nestjs-tinyauth';
import { formatArn } from '../../../src/core/arn';
import { buildChecks, RequirementError } from '../../../src/checks/build-checks';
import type { TinyauthSelectorInput } from '../../../src/request/selector-input';
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

const noHttp = { query: {}, headers: {}, body: undefined };
const httpInput = {
  type: 'http',
  params: {},
  args: {},
  data: undefined,
  request: {},
  ...noHttp,
} as unknown as TinyauthSelectorInput;

describe('buildChecks', () => {
  it('denies (throws) when a route parameter is missing rather than checking too little', () => {
    expect(() =>
      buildChecks([{ action: 'GetApple', resourceClass: 'apples', resource: 'name' }], scope, httpInput),
    ).toThrow(RequirementError);
  });

  it.each([[[]], [42], [['ok', 3]], [null]])('rejects a resource function returning %p', (value) => {
    const requirement = {
      action: 'GetApple',
      resourceClass: 'apples',
      resource: () => value as unknown as string,
    };
    expect(() => buildChecks([requirement], scope, httpInput)).toThrow(RequirementError);
  });

  it('turns a throwing resource function into a denial', () => {
    const requirement = {
      action: 'GetApple',
      resourceClass: 'apples',
      resource: () => {
        throw new Error('boom with secret');
      },
    };
    expect(() => buildChecks([requirement], scope, httpInput)).toThrow(/threw \(Error\)/);
  });

  const named = { action: 'GetApple', resourceClass: 'apples', resource: 'name' };
  const arn = (r: string) => `arn:tinyauth:test:default::apples/${r}`;

  it('reads the string form from the field arguments for graphql and from the payload for ws and rpc', () => {
    const base = { params: {}, args: {}, data: undefined, request: undefined, ...noHttp };
    expect(buildChecks([named], scope, { ...base, type: 'graphql', args: { name: 'fred' } })).toEqual([
      { action: 'GetApple', resource: arn('fred') },
    ]);
    expect(buildChecks([named], scope, { ...base, type: 'ws', data: { name: 7 } })).toEqual([
      { action: 'GetApple', resource: arn('7') },
    ]);
    expect(buildChecks([named], scope, { ...base, type: 'rpc', data: { name: 'pip' } })).toEqual([
      { action: 'GetApple', resource: arn('pip') },
    ]);
  });

  it.each([
    ['rpc', null],
    ['rpc', 'name'],
    ['rpc', ['fred']],
    ['ws', { name: { nested: true } }],
    ['ws', { name: 1.5 }],
    ['rpc', Object.create({ name: 'inherited' })],
  ])('denies a %s payload without the named field as text: %p', (type, data) => {
    const input = { type, params: {}, args: {}, data, request: undefined } as TinyauthSelectorInput;
    expect(() => buildChecks([named], scope, input)).toThrow(/the message has no field "name"/);
  });

  it('never reads a route parameter from a graphql argument of another name', () => {
    const input: TinyauthSelectorInput = {
      type: 'graphql',
      params: { name: 'x' },
      args: {},
      data: undefined,
      request: undefined,
      ...noHttp,
    };
    expect(() => buildChecks([named], scope, input)).toThrow(/the field has no argument "name"/);
  });

  it('gives the function form the transport-neutral input', () => {
    const seen: TinyauthSelectorInput[] = [];
    const requirement = {
      ...named,
      resource: (input: TinyauthSelectorInput) => {
        seen.push(input);
        return ['a', 'b'];
      },
    };
    const input: TinyauthSelectorInput = {
      type: 'rpc',
      params: {},
      args: {},
      data: { x: 1 },
      request: { ctx: true },
      ...noHttp,
    };
    expect(buildChecks([requirement], scope, input)).toEqual([
      { action: 'GetApple', resource: arn('a') },
      { action: 'GetApple', resource: arn('b') },
    ]);
    expect(seen).toEqual([input]);
  });
});
