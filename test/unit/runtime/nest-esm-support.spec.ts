import {
  assertNestLoadable,
  canRequireEsm,
  nestEsmSupportProblem,
} from '../../../src/runtime/nest-esm-support';

describe('require(esm) support', () => {
  it.each([
    ['v20.18.3', false],
    ['v20.19.0', true],
    ['v20.20.2', true],
    ['v21.7.3', false],
    ['v22.11.0', false],
    ['v22.12.0', true],
    ['v23.0.0', true],
    ['v24.22.3', true],
  ])('Node.js %s by version: %s', (version, expected) => {
    expect(canRequireEsm({ version })).toBe(expected);
  });

  it('trusts process.features.require_module over the version (flags turn it on and off)', () => {
    expect(canRequireEsm({ version: 'v22.10.0', requireModule: true })).toBe(true);
    expect(canRequireEsm({ version: 'v24.0.0', requireModule: false })).toBe(false);
  });
});

describe('loading Nest on this Node.js', () => {
  it('names the Nest version, the Node.js version and the range that works when Nest 12 cannot load', () => {
    const problem = nestEsmSupportProblem('12.5.1', { version: 'v20.18.3' });
    expect(problem).toBe(
      'nestjs-tinyauth: @nestjs/common 12.5.1 is published as ES modules only, and Node.js v20.18.3 cannot load ES ' +
        'modules with require() (require(esm) needs Node.js ^20.19.0 || >=22.12.0). Upgrade Node.js, or use Nest 11.',
    );
    expect(() => assertNestLoadable('12.0.0', { version: 'v22.11.0', requireModule: false })).toThrow(
      '@nestjs/common 12.0.0 is published as ES modules only, and Node.js v22.11.0 cannot load',
    );
  });

  it('accepts Nest 12 where require(esm) works, and Nest 10 and 11 anywhere', () => {
    expect(() => assertNestLoadable('12.5.1', { version: 'v20.19.0' })).not.toThrow();
    expect(() => assertNestLoadable('12.5.1', { version: 'v24.22.3', requireModule: true })).not.toThrow();
    expect(() => assertNestLoadable('11.2.10', { version: 'v20.18.3' })).not.toThrow();
    expect(() => assertNestLoadable('10.4.22', { version: 'v18.20.0' })).not.toThrow();
  });

  it('leaves an unreadable version to Node.js', () => {
    expect(() => assertNestLoadable(undefined, { version: 'v20.18.3' })).not.toThrow();
    expect(nestEsmSupportProblem('not-a-version', { version: 'v20.18.3' })).toBeUndefined();
  });

  it('reads the installed Nest by default (the devDependency, 11, loads here)', () => {
    expect(() => assertNestLoadable()).not.toThrow();
  });
});
