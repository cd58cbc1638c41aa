/** Where the page's stylesheet is served (a `@Public()` route: the login page may need it before signing in). */
export const STYLESHEET_PATH = '/assets/sample.css';

/** The only stylesheet of the sample: a plain, readable page that follows the system's light or dark theme. */
export const SAMPLE_CSS = `:root {
  color-scheme: light dark;
  --bg: #f6f7f9;
  --card: #ffffff;
  --text: #1d2330;
  --muted: #5b6475;
  --line: #e1e5eb;
  --accent: #2f6f4f;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171c; --card: #1d2128; --text: #e6e9ee; --muted: #9aa3b2; --line: #2c323c; --accent: #7cc59b; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); line-height: 1.5; }
a { color: var(--accent); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
.bar {
  display: flex; justify-content: space-between; align-items: center; gap: 1rem;
  padding: 0.75rem 1.5rem; background: var(--card); border-bottom: 1px solid var(--line);
}
.brand { font-weight: 700; letter-spacing: 0.02em; }
.who { color: var(--muted); }
.who strong { color: var(--text); }
.signout {
  margin-left: 0.75rem; padding: 0.3rem 0.8rem; border: 1px solid var(--line); border-radius: 999px;
  text-decoration: none;
}
.signout:hover, .signout:focus-visible { border-color: var(--accent); }
.page .signout { margin-left: 0; }
.page { max-width: 52rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { margin: 0 0 0.5rem; font-size: 1.6rem; }
.lead, .hint, .empty { color: var(--muted); }
.apples {
  width: 100%; border-collapse: collapse; background: var(--card);
  border: 1px solid var(--line); border-radius: 10px; overflow: hidden;
}
.apples caption { text-align: left; padding: 0 0 0.5rem; color: var(--muted); }
.apples th, .apples td { padding: 0.6rem 0.9rem; border-bottom: 1px solid var(--line); text-align: left; }
.apples th { font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.apples tr:last-child td { border-bottom: 0; }
.num { text-align: right; }
.apples th.num, .apples td.num { text-align: right; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 50%; margin-right: 0.5rem; vertical-align: -0.05rem; }
.swatch-red { background: #c0392b; }
.swatch-green { background: #7cb342; }
.swatch-yellow { background: #f4c430; }
.swatch-other { background: var(--muted); }
@media (max-width: 640px) {
  /* A phone gets the whole table without sideways scrolling (WCAG 1.4.10): the long API links wrap. */
  .bar { flex-wrap: wrap; padding: 0.75rem 1rem; }
  .page { margin: 1.5rem auto; padding: 0 1rem; }
  .apples th, .apples td { padding: 0.5rem 0.4rem; }
  .apples code { overflow-wrap: anywhere; }
}
`;
