import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../helpers/http-apps';
import { guardAppModule } from '../helpers/guard-app';
import { allowAll } from '../helpers/scripted-server';

describe('endpointVerify against an https tinyauth with a private CA', () => {
  let dir: string;
  let server: Server;
  let endpoint: string;
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinyauth-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    server = createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        req.on('end', () => {
          const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(allowAll(recorded));
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function statusWith(endpointVerify: boolean | string | undefined): Promise<number> {
    const app = await startApp(
      'express',
      guardAppModule({ endpoint, accessKeyId: 'AK', secretAccessKey: 'S', service: 'test', endpointVerify }),
    );
    apps.push(app);
    return (await fetch(`${app.url}/apples/fred`)).status;
  }

  it('refuses an untrusted certificate by default (fail closed, 503)', async () => {
    expect(await statusWith(undefined)).toBe(503);
  });

  it('trusts the CA bundle named by endpointVerify', async () => {
    expect(await statusWith(join(dir, 'cert.pem'))).toBe(200);
  });

  it('skips verification when endpointVerify is false', async () => {
    expect(await statusWith(false)).toBe(200);
  });
});
