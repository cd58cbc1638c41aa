import type { Apple } from '../apples/apple.store';
import { escapeHtml, renderPage } from './html';

/** What the home page shows. */
export interface HomePageModel {
  /** The signed-in user, as tinyauth identified them; undefined in bypass mode. */
  user: string | undefined;
  apples: readonly Apple[];
  /** Where "Sign out" goes. */
  logoutPath: string;
}

function appleRow(apple: Apple): string {
  const name = escapeHtml(apple.name);
  return `<tr>
<td><span class="swatch swatch-${escapeHtml(colorClass(apple.color))}" aria-hidden="true"></span>${name}</td>
<td>${escapeHtml(apple.color)}</td>
<td class="num">${escapeHtml(apple.weight)} g</td>
<td><a href="/api/v1/apples/${encodeURIComponent(apple.name)}"><code>GET /api/v1/apples/${name}</code></a></td>
</tr>`;
}

// Only known colours get a swatch class; anything else typed by an API caller gets the neutral one.
function colorClass(color: string): string {
  return ['red', 'green', 'yellow'].includes(color) ? color : 'other';
}

/** The page at `/`: who is signed in, a sign-out link, and the apples. Server-rendered, no script at all. */
export function renderHomePage(model: HomePageModel): string {
  const user = model.user ?? 'nobody (bypass mode)';
  const rows = model.apples.map(appleRow).join('\n');
  const empty = model.apples.length === 0 ? '<p class="empty">No apples yet.</p>' : '';
  return renderPage(
    'Apples',
    `<header class="bar">
<span class="brand">Apples</span>
<nav class="who" aria-label="Account">
Signed in as <strong id="identity">${escapeHtml(user)}</strong>
<a class="signout" href="${escapeHtml(model.logoutPath)}">Sign out</a>
</nav>
</header>
<main class="page">
<h1>The orchard</h1>
<p class="lead">You can see this page because tinyauth allows <code>apples:AccessWebInterface</code> for
<strong>${escapeHtml(user)}</strong>. The same session cookie works for the JSON API below.</p>
<table class="apples">
<caption>${model.apples.length} apple${model.apples.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Colour</th><th scope="col" class="num">Weight</th><th scope="col">API</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${empty}
<p class="hint">Everything here comes from <a href="/api/v1/apples"><code>GET /api/v1/apples</code></a>, which needs
<code>apples:ListApples</code>.</p>
</main>`,
  );
}
