/**
 * Parses an `application/x-www-form-urlencoded` body into plain string fields. A repeated field keeps its first
 * value, and names such as `__proto__` become ordinary own properties (no prototype pollution).
 */
export function parseFormBody(text: string): Record<string, string> {
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (!fields.has(name)) fields.set(name, value);
  }
  return Object.fromEntries(fields);
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The part of a Fastify instance needed to add a body parser (typed here so fastify stays an optional peer). */
export interface FastifyParserHost {
  hasContentTypeParser(contentType: string): boolean;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'string' },
    parser: (request: unknown, body: string, done: (err: Error | null, body?: unknown) => void) => void,
  ): void;
}

function isFastifyParserHost(instance: unknown): instance is FastifyParserHost {
  if (instance === null || (typeof instance !== 'object' && typeof instance !== 'function')) return false;
  const candidate = instance as Partial<FastifyParserHost>;
  return (
    typeof candidate.hasContentTypeParser === 'function' &&
    typeof candidate.addContentTypeParser === 'function'
  );
}

/**
 * Makes a Fastify app parse HTML form posts, so the login form works without JavaScript. Nest's Fastify adapter
 * registers such a parser itself unless the app was created with `bodyParser: false` (and older adapters did not);
 * this adds one only when none exists. Express needs nothing: Nest registers `urlencoded` there. Returns whether
 * a parser was added. Must run before the server starts listening (e.g. in `onModuleInit`).
 */
export function ensureFastifyFormParser(instance: unknown): boolean {
  if (!isFastifyParserHost(instance) || instance.hasContentTypeParser(FORM_TYPE)) return false;
  instance.addContentTypeParser(FORM_TYPE, { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseFormBody(body));
  });
  return true;
}
