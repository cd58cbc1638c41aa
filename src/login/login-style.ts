/**
 * The sign-in page's stylesheet (`<path>/static/login.css`): system fonts only, light and dark, phone-first. Text
 * meets WCAG 2.2 AA (4.5:1) and what identifies a control or its focus meets 1.4.11's 3:1 against the card in both
 * schemes: `--control-border` for field borders, `--focus` for focus rings (test/browser/a11y.browser-spec.ts).
 */
export const LOGIN_CSS = `:root {
  color-scheme: light dark;
  --bg: #eef2f7;
  --bg-accent: #dbe4f3;
  --card: #ffffff;
  --text: #172033;
  --muted: #5b6578;
  --border: #c9d1de;
  --control-border: #7c879b;
  --accent: #2f5bd3;
  --accent-hover: #2449b0;
  --accent-text: #ffffff;
  --focus: #2f5bd3;
  --error-bg: #fdecec;
  --error-text: #8f1d1d;
  --error-border: #e5a3a3;
  --invalid: #c24141;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.06), 0 12px 32px rgba(16, 24, 40, 0.12);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1420;
    --bg-accent: #18213a;
    --card: #171e2e;
    --text: #e7ebf3;
    --muted: #9aa4b8;
    --border: #33405a;
    --control-border: #6e7d99;
    --accent: #6d93ff;
    --accent-hover: #8aa8ff;
    --accent-text: #0b1020;
    --focus: #8aa8ff;
    --error-bg: #3a1618;
    --error-text: #ffc9c9;
    --error-border: #7a2d31;
    --invalid: #ff8a8a;
    --shadow: 0 1px 2px rgba(0, 0, 0, 0.4), 0 12px 32px rgba(0, 0, 0, 0.45);
  }
}
*, *::before, *::after { box-sizing: border-box; }
html, body { margin: 0; min-height: 100%; }
body {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  font-size: 16px;
  line-height: 1.5;
  color: var(--text);
  background: radial-gradient(circle at 20% 0%, var(--bg-accent), transparent 55%), var(--bg);
  -webkit-font-smoothing: antialiased;
}
.shell {
  min-height: 100vh;
  display: flex;
  flex-direction: column;
  align-items: center;
  justify-content: center;
  padding: 24px 16px;
  gap: 16px;
}
.card {
  width: 100%;
  max-width: 400px;
  background: var(--card);
  border: 1px solid var(--border);
  border-radius: 16px;
  box-shadow: var(--shadow);
  padding: 32px 28px 28px;
}
.badge {
  width: 52px;
  height: 52px;
  border-radius: 14px;
  display: grid;
  place-items: center;
  margin: 0 auto 16px;
  color: var(--accent-text);
  background: var(--accent);
}
h1 { margin: 0; font-size: 1.5rem; font-weight: 650; text-align: center; letter-spacing: -0.01em; }
.lead { margin: 4px 0 20px; text-align: center; color: var(--muted); }
.lead strong { color: var(--text); font-weight: 600; }
.alert {
  margin: 0 0 16px;
  padding: 10px 12px;
  border: 1px solid var(--error-border);
  border-left-width: 4px;
  border-radius: 8px;
  background: var(--error-bg);
  color: var(--error-text);
  font-size: 0.95rem;
}
.alert:empty { display: none; }
.form { display: grid; gap: 16px; }
.field { display: grid; gap: 6px; }
label { font-weight: 600; font-size: 0.95rem; }
input[type="text"], input[type="password"] {
  width: 100%;
  min-height: 44px;
  padding: 10px 12px;
  font: inherit;
  color: var(--text);
  background: var(--card);
  border: 1px solid var(--control-border);
  border-radius: 10px;
  transition: border-color 0.15s ease;
}
/* A solid ring, so focus shows on an invalid (red-bordered) field too. */
input:focus { outline: 2px solid var(--focus); outline-offset: 1px; border-color: var(--focus); }
input[aria-invalid="true"] { border-color: var(--invalid); }
.submit {
  min-height: 46px;
  margin-top: 4px;
  font: inherit;
  font-weight: 600;
  color: var(--accent-text);
  background: var(--accent);
  border: 0;
  border-radius: 10px;
  cursor: pointer;
  transition: background-color 0.15s ease;
}
.submit:hover { background: var(--accent-hover); }
.submit:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.submit[disabled] { opacity: 0.7; cursor: progress; }
.footnote { margin: 0; color: var(--muted); font-size: 0.85rem; text-align: center; }
@media (max-width: 420px) {
  .shell { justify-content: flex-start; padding-top: 40px; }
  .card { padding: 28px 20px 24px; border-radius: 14px; }
}
@media (prefers-reduced-motion: reduce) {
  * { transition: none !important; }
}
@media (forced-colors: active) {
  .badge, .submit { border: 1px solid ButtonText; }
}
`;
