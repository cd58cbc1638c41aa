/**
 * Emulation of tinyauth's request parser (Flask-RESTful reqparse, strict, errors bundled), so malformed bodies get
 * the real server's answers: `{"errors": {"<field>": "Missing required parameter in the JSON body"}}`, every
 * unknown or badly typed key `"Unexpected argument"`, invalid JSON a 400 page, and a 500 where Flask crashes.
 */
import { isDict } from '../core/python-values';
import { pyDict, pyList, pyStr, pyUnpackPair } from './python-coerce';
import { jsonReply, pageReply, ServerCrash, type Reply } from './reply';
import { header, type RequestContext } from './request-context';

/** How a body argument is coerced: Python `str()`, `dict()` or `list()`. */
export type ArgType = 'str' | 'dict' | 'list';

/** One expected body argument. */
export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  readonly required: boolean;
}

/** Coerced values: a string, dict entries or a list; `null` passes the parser as is. */
export type ArgValue = string | [unknown, unknown][] | unknown[] | null;

/** Parsed arguments (absent optional ones are missing from the map). */
export type ParsedArgs = ReadonlyMap<string, ArgValue>;

const MISSING = 'Missing required parameter in the JSON body';
const UNEXPECTED = 'Unexpected argument';
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function mediaType(ctx: RequestContext): string {
  return (header(ctx, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
}

function isJsonType(m: string): boolean {
  return m === 'application/json' || (m.startsWith('application/') && m.endsWith('+json'));
}

/** `request.json` with Flask 0.12 semantics: `undefined` when the body is not declared as JSON. */
function readJson(ctx: RequestContext): { value: unknown } | 'invalid' | undefined {
  if (!isJsonType(mediaType(ctx))) return undefined;
  try {
    return { value: JSON.parse(UTF8.decode(ctx.body)) };
  } catch {
    return 'invalid';
  }
}

function coerce(type: ArgType, v: unknown): ArgValue | undefined {
  if (type === 'str') return pyStr(v);
  if (type === 'dict') return pyDict(v);
  return pyList(v);
}

/** Keys that `MultiDict.update(request.json)` would see; throws where Flask crashes (a non-dict JSON body). */
function jsonKeys(json: unknown): string[] {
  if (json === undefined || json === null) return [];
  if (isDict(json)) return Object.keys(json);
  if (Array.isArray(json)) {
    return json.map((item) => {
      const pair = pyUnpackPair(item);
      const k = pair?.[0];
      if (pair === undefined || (typeof k === 'object' && k !== null))
        throw new ServerCrash('JSON body is not a mapping');
      return pyStr(k);
    });
  }
  throw new ServerCrash('JSON body is not a mapping');
}

/**
 * Parses the JSON body against `specs`. Returns the arguments, or the 400 reply to send. Throws
 * {@link ServerCrash} where the real server answers 500.
 */
export function parseArgs(ctx: RequestContext, specs: readonly ArgSpec[]): ParsedArgs | Reply {
  const read = readJson(ctx);
  if (read === 'invalid') return pageReply(400);
  const json = read?.value;
  const unparsed = new Set<string>(jsonKeys(json));
  for (const k of new URLSearchParams(ctx.query).keys()) unparsed.add(k);
  if (mediaType(ctx) === 'application/x-www-form-urlencoded') {
    for (const k of new URLSearchParams(ctx.body.toString('latin1')).keys()) unparsed.add(k);
  }
  const errors = new Map<string, string>();
  const args = new Map<string, ArgValue>();
  for (const spec of specs) {
    if (isDict(json) && Object.hasOwn(json, spec.name)) {
      const raw = json[spec.name];
      const value = raw === null ? null : coerce(spec.type, raw);
      // A failed coercion leaves the key unparsed: it is then reported as "Unexpected argument".
      if (value !== undefined) {
        args.set(spec.name, value);
        unparsed.delete(spec.name);
      }
    } else if (spec.required) {
      errors.set(spec.name, MISSING);
    }
  }
  for (const k of unparsed) errors.set(k, UNEXPECTED);
  if (errors.size > 0) return jsonReply(400, { errors: Object.fromEntries(errors) });
  return args;
}

/** Narrowing helper: true when `parseArgs` produced a reply instead of arguments. */
export function isReply(v: ParsedArgs | Reply): v is Reply {
  return !(v instanceof Map);
}
