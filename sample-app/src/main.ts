// First: the metrics SDK is registered before anything records.
import './telemetry';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigService } from '@nestjs/config';
import { TINYAUTH_OPTIONS, type ResolvedTinyauthOptions } from 'nestjs-tinyauth';
import { AppModule } from './app.module';
import { demoBanner } from './demo-banner';
import { EmbeddedTinyauth } from './embedded-tinyauth';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::']);

function portOf(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a TCP port number (0 picks a free one), got "${value}"`);
  }
  return port;
}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    // Browsers keep idle connections open; without this, shutdown would wait for them to time out.
    forceCloseConnections: true,
    // Throw start-up errors (such as invalid TINYAUTH_* settings) to the catch below instead of aborting the process.
    abortOnError: false,
  });
  // No need to advertise the framework to every caller.
  app.disable('x-powered-by');
  // SIGINT/SIGTERM run the shutdown hooks (which close the embedded tinyauth), then exit with status 0.
  app.enableShutdownHooks(['SIGINT', 'SIGTERM'], { useProcessExit: true });

  const config = app.get(ConfigService);
  const embedded = app.get(EmbeddedTinyauth);
  const options = app.get<ResolvedTinyauthOptions>(TINYAUTH_OPTIONS);
  const port = portOf(config.get<string>('PORT'));
  // The demo's passwords are public and bypass mode lets anyone in, so both listen on loopback only unless HOST
  // says otherwise (HOST=0.0.0.0 in a container).
  const host = config.get<string>('HOST') || (embedded.url || options.bypass ? '127.0.0.1' : undefined);
  await (host ? app.listen(port, host) : app.listen(port));

  const { port: actualPort } = app.getHttpServer().address() as AddressInfo;
  const shown = !host || LOOPBACK.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const appUrl = `http://${shown}:${actualPort}/`;
  if (embedded.url) {
    process.stdout.write(demoBanner(appUrl, embedded.url));
  } else {
    const authority = options.bypass
      ? 'nobody: BYPASS MODE, every request is allowed'
      : `tinyauth at ${options.endpoint}`;
    new Logger('Sample').log(`Listening on ${appUrl}, authorizing with ${authority}`);
  }
}

bootstrap().catch((err: unknown) => {
  new Logger('Sample').error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
