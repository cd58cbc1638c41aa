import { loginRedirectLocation } from '../../../src/login/login-redirect.filter';

describe('loginRedirectLocation', () => {
  it('encodes the page to come back to', () => {
    expect(loginRedirectLocation('/login', '/apples?page=2&x=a%20b')).toBe(
      '/login?next=%2Fapples%3Fpage%3D2%26x%3Da%2520b',
    );
  });

  it('replaces an unsafe next with /', () => {
    expect(loginRedirectLocation('/auth', '//evil.com')).toBe('/auth?next=%2F');
  });
});
