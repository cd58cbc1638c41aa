import { LoginPathError, loginRoutes, normalizeLoginPath } from '../../../src/login/login-routes';

describe('loginRoutes', () => {
  it('puts logout beside the default /login page, as flask_tinyauth does', () => {
    expect(loginRoutes('/login')).toEqual({
      page: '/login',
      action: '/login',
      logout: '/logout',
      stylesheet: '/login/static/login.css',
      script: '/login/static/login.js',
      icon: '/login/static/icon.svg',
      home: '/',
    });
  });

  it('puts logout in the parent folder of a nested page', () => {
    expect(loginRoutes('/account/signin')).toMatchObject({
      page: '/account/signin',
      logout: '/account/logout',
      script: '/account/signin/static/login.js',
    });
  });

  it('keeps /logout for another top-level page', () => {
    expect(loginRoutes('auth/')).toMatchObject({ page: '/auth', logout: '/logout' });
  });
});

describe('normalizeLoginPath', () => {
  it.each([
    ['login', '/login'],
    ['/login/', '/login'],
    ['//auth//', '/auth'],
    [' /a/b ', '/a/b'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeLoginPath(input)).toBe(expected);
  });

  it.each(['/', '', '/logout', '/account/logout', '/a//b', '/a/../b', '/:id', '/a*', '/a?b'])(
    'refuses %j',
    (input) => {
      expect(() => normalizeLoginPath(input)).toThrow(LoginPathError);
    },
  );
});
