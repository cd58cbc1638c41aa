/** The compatible tinyauth server in its own process; prints `READY <url>`. */
import { demoFixture, startTinyauthServer } from '../src/testing';

async function main(): Promise<void> {
  const server = await startTinyauthServer({ port: 0, host: '127.0.0.1', fixture: demoFixture });
  process.stdout.write(`READY ${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
