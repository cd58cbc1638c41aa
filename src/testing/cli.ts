#!/usr/bin/env node
/**
 * `nestjs-tinyauth-server`: runs the tinyauth-compatible server from the command line.
 */
import { demoFixture } from './demo-fixture';
import { loadFixtureFile, type Fixture } from './fixture';
import { parseCliArgs, USAGE, UsageError, type CliOptions } from './cli-args';
import { startTinyauthServer } from './server';

function describeUsers(fixture: Fixture, withSecrets: boolean): string[] {
  const users = [...(fixture.users ?? []), ...(fixture.root ? [fixture.root] : [])];
  return users.map((u) => {
    const keys = (u.access_keys ?? []).map(([id, secret]) => (withSecrets ? `${id}:${secret}` : id));
    const parts = [`  ${u.username}`];
    if (typeof u.password === 'string') parts.push(withSecrets ? `password=${u.password}` : 'password=<set>');
    if (keys.length > 0) parts.push(`keys=${keys.join(',')}`);
    if (u.groups && u.groups.length > 0) parts.push(`groups=${u.groups.join(',')}`);
    return parts.join('  ');
  });
}

/**
 * Resolves on the first SIGINT or SIGTERM. Installed before anything is printed, and left installed, so no signal
 * (a second Ctrl-C while closing included) can kill the process before it has closed its server and exited 0.
 */
function stopRequested(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const stop = stopRequested();
  let opts: CliOptions;
  let fixture: Fixture;
  try {
    opts = parseCliArgs(argv);
    if (opts.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    fixture = opts.fixture === undefined ? demoFixture : loadFixtureFile(opts.fixture);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`nestjs-tinyauth-server: ${msg}\n${e instanceof UsageError ? `${USAGE}\n` : ''}`);
    return 2;
  }
  const server = await startTinyauthServer({
    fixture,
    port: opts.port,
    host: opts.host,
    signingKey: opts.signingKey,
  });
  const lines = [
    `tinyauth-compatible server listening on ${server.url}`,
    `fixture: ${opts.fixture ?? 'built-in demo (service "apples")'}`,
    'users:',
    ...describeUsers(fixture, opts.printCredentials),
  ];
  if (!opts.printCredentials) lines.push('(use --print-credentials to show passwords and secret keys)');
  process.stdout.write(`${lines.join('\n')}\n`);
  await stop;
  await server.close();
  process.stdout.write('tinyauth-compatible server stopped\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`nestjs-tinyauth-server: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
