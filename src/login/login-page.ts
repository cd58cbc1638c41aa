import { escapeHtml } from './html-escape';
import { LOCK_ICON } from './login-icon';
import type { LoginRoutes } from './login-routes';

/** What one rendering of the sign-in page shows. */
export interface LoginPageModel {
  routes: LoginRoutes;
  /** The tinyauth service name, shown as "to continue to …". */
  service: string;
  /** Already checked by `safeNextPath`; carried in a hidden field. */
  next: string;
  /** The user name typed before a failed attempt, so only the password has to be typed again. */
  username?: string;
  /** A message for the alert region (a failed form post). */
  error?: string;
}

/** Headers for the page: a strict CSP (no inline code), no framing, no sniffing, never cached. */
export const LOGIN_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/**
 * The sign-in page: one card, a plain HTML form that works without JavaScript, enhanced by `login.js`. Every
 * reflected value is escaped; there is no inline script or style, so the page runs under `default-src 'self'`.
 */
export function renderLoginPage(model: LoginPageModel): string {
  const { routes } = model;
  const error = model.error ?? '';
  const username = model.username ?? '';
  const invalid = error ? ' aria-invalid="true"' : '';
  // After a failed attempt the user name is kept, so the password field is where typing resumes.
  const focusUser = username ? '' : ' autofocus';
  const focusPassword = username ? ' autofocus' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex">
<title>Sign in · ${escapeHtml(model.service)}</title>
<link rel="stylesheet" href="${escapeHtml(routes.stylesheet)}">
<link rel="icon" type="image/svg+xml" href="${escapeHtml(routes.icon)}">
<script src="${escapeHtml(routes.script)}" defer></script>
</head>
<body>
<main class="shell">
<section class="card" aria-labelledby="login-title">
<div class="badge">${LOCK_ICON}</div>
<h1 id="login-title">Sign in</h1>
<p class="lead">to continue to <strong>${escapeHtml(model.service)}</strong></p>
<div id="login-error" class="alert" role="alert" aria-live="assertive">${escapeHtml(error)}</div>
<form id="login-form" class="form" method="post" action="${escapeHtml(routes.action)}">
<input type="hidden" name="next" value="${escapeHtml(model.next)}">
<div class="field">
<label for="login-username">User name</label>
<input id="login-username" name="username" type="text" value="${escapeHtml(username)}" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="256" required aria-describedby="login-error"${invalid}${focusUser}>
</div>
<div class="field">
<label for="login-password">Password</label>
<input id="login-password" name="password" type="password" autocomplete="current-password" maxlength="1024" required aria-describedby="login-error"${invalid}${focusPassword}>
</div>
<button id="login-submit" class="submit" type="submit">Sign in</button>
</form>
</section>
<p class="footnote">Access to ${escapeHtml(model.service)} is managed by tinyauth.</p>
</main>
</body>
</html>
`;
}
