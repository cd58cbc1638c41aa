/**
 * What a handler returns, the HTML error pages of the real server (Werkzeug), and the crash signal.
 */

/** A response to send. `json` is serialised; `html` is sent as `text/html; charset=utf-8`. */
export interface Reply {
  readonly status: number;
  readonly json?: unknown;
  readonly html?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Thrown where the real tinyauth has an unhandled exception: the request ends with the 500 HTML page. The message
 * is for debugging only and never reaches the client.
 */
export class ServerCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerCrash';
  }
}

function page(status: number, title: string, text: string): string {
  return `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${text}</p>\n`;
}

/** Werkzeug's HTML error pages. */
export const PAGES = {
  400: page(
    400,
    'Bad Request',
    'The browser (or proxy) sent a request that this server could not understand.',
  ),
  404: page(
    404,
    'Not Found',
    'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  ),
  405: page(405, 'Method Not Allowed', 'The method is not allowed for the requested URL.'),
  413: page(413, 'Request Entity Too Large', 'The data value transmitted exceeds the capacity limit.'),
  500: page(
    500,
    'Internal Server Error',
    'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
  ),
} as const;

/** A JSON reply. */
export function jsonReply(status: number, json: unknown, headers?: Record<string, string>): Reply {
  return { status, json, headers };
}

/** An HTML error page reply. */
export function pageReply(status: keyof typeof PAGES, headers?: Record<string, string>): Reply {
  return { status, html: PAGES[status], headers };
}

/** `Cache-Control` / `Expires` for a response cacheable for `seconds`, as tinyauth sets them. */
export function cacheHeaders(seconds: number, now: Date): Record<string, string> {
  return {
    'Cache-Control': `max-age=${seconds}`,
    Expires: new Date(now.getTime() + seconds * 1000).toUTCString(),
  };
}
