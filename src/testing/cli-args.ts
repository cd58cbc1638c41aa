/**
 * Command-line parsing of `nestjs-tinyauth-server`.
 */

/** Parsed command line. */
export interface CliOptions {
  fixture?: string;
  port: number;
  host: string;
  signingKey?: string;
  printCredentials: boolean;
  help: boolean;
}

/** The usage text. */
export const USAGE = `usage: nestjs-tinyauth-server [--fixture FILE.json] [--port N] [--host HOST] [--signing-key KEY] [--print-credentials]

Starts a tinyauth-compatible server. Without --fixture it serves the demo store (service "apples").
  --fixture FILE        JSON fixture (users, groups, root) to load
  --port N              TCP port (default 5000; 0 = any free port)
  --host HOST           interface to listen on (default 127.0.0.1)
  --signing-key KEY     SECRET_SIGNING_KEY to use (default: random)
  --print-credentials   also print passwords and secret access keys
  --help                show this text`;

/** Thrown for a bad command line; the CLI prints it with the usage and exits with status 2. */
export class UsageError extends Error {}

/** Parses argv (without node and the script). Accepts `--name value` and `--name=value`. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = { port: 5000, host: '127.0.0.1', printCredentials: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    let name = argv[i];
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (name.startsWith('--') && eq > 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const take = (): string => {
      if (value !== undefined) return value;
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case '--fixture':
        opts.fixture = take();
        break;
      case '--port': {
        const v = take();
        const port = Number(v);
        if (!/^\d+$/.test(v) || port > 65535)
          throw new UsageError(`--port must be an integer 0..65535, got ${JSON.stringify(v)}`);
        opts.port = port;
        break;
      }
      case '--host':
        opts.host = take();
        break;
      case '--signing-key':
        opts.signingKey = take();
        if (opts.signingKey === '') throw new UsageError('--signing-key must not be empty');
        break;
      case '--print-credentials':
        if (value !== undefined) throw new UsageError('--print-credentials takes no value');
        opts.printCredentials = true;
        break;
      case '--help':
      case '-h':
        opts.help = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}`);
    }
  }
  return opts;
}
