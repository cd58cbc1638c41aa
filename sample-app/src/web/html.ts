import { applyDecorators, Header } from '@nestjs/common';
import { STYLESHEET_PATH } from './sample-style';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and quoted attributes. Apple names come from API callers, so always escape. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * Headers of the sample's pages: nothing inline is allowed (`default-src 'self'`), no framing, no sniffing, and
 * personalised pages are never cached.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Sets `PAGE_HEADERS` on an HTML handler. */
export const PageHeaders = (): MethodDecorator =>
  applyDecorators(...Object.entries(PAGE_HEADERS).map(([name, value]) => Header(name, value)));

/** The sample's page frame: one stylesheet, no script; `title` is escaped, `body` is trusted markup. */
export function renderPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · nestjs-tinyauth sample</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
${body}
</body>
</html>
`;
}
