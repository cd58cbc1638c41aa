/** The compatible tinyauth server in its own process, with the bench's store (bench/fixture.ts); prints `READY <url>`. */
import { startTinyauthServer } from '../src/testing';
import { benchFixture } from './fixture';

async function main(): Promise<void> {
  const server = await startTinyauthServer({ port: 0, host: '127.0.0.1', fixture: benchFixture() });
  process.stdout.write(`READY ${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
