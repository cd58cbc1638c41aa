import { escapeHtml } from '../../../src/login/html-escape';
import { renderLoginPage } from '../../../src/login/login-page';
import { loginRoutes } from '../../../src/login/login-routes';

describe('escapeHtml', () => {
  it('escapes every character that could end a text node or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });
});

describe('renderLoginPage', () => {
  const routes = loginRoutes('/login');

  it('links its own assets and has no inline script or style', () => {
    const html = renderLoginPage({ routes, service: 'apples', next: '/' });
    expect(html).toContain('<link rel="stylesheet" href="/login/static/login.css">');
    expect(html).toContain('<script src="/login/static/login.js" defer></script>');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
  });

  it('labels every input and has an alert region', () => {
    const html = renderLoginPage({ routes, service: 'apples', next: '/' });
    expect(html).toContain('<label for="login-username">');
    expect(html).toContain('<label for="login-password">');
    expect(html).toContain('id="login-username" name="username"');
    expect(html).toMatch(/role="alert" aria-live="assertive"><\/div>/);
    expect(html).toContain('<form id="login-form" class="form" method="post" action="/login">');
  });

  it('escapes reflected values', () => {
    const html = renderLoginPage({
      routes,
      service: 'apples',
      next: '/a?"><script>alert(1)</script>',
      username: '"><img src=x onerror=alert(1)>',
      error: '<b>bad</b>',
    });
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('value="/a?&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toContain('&lt;b&gt;bad&lt;/b&gt;</div>');
  });

  it('after a failure keeps the user name, marks the fields invalid and focuses the password', () => {
    const html = renderLoginPage({
      routes,
      service: 'apples',
      next: '/',
      username: 'reader',
      error: 'Wrong',
    });
    expect(html).toMatch(/name="username"[^>]*value="reader"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/name="password"[^>]*aria-invalid="true" autofocus>/);
  });
});
