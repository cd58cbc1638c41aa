import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { TinyauthClient } from '../../../src/client/tinyauth-client';
import { TinyauthClientError } from '../../../src/client/client-errors';
import { splitUrl } from '../../../src/client/undici-transport';
import { resolveTinyauthOptions } from '../../../src/options/resolve-options';
import { closedPortUrl, startScriptedServer, type ScriptedServer } from '../../helpers/scripted-server';

function newClient(
  endpoint: string,
  extra: Record<string, unknown> = {},
  http = new HttpService(axios.create()),
) {
  const options = resolveTinyauthOptions({
    endpoint,
    accessKeyId: 'AKSVC',
    secretAccessKey: 'svc-secret',
    service: 'apples',
    ...extra,
  });
  return new TinyauthClient(http, options);
}

describe.each(['http-service', 'undici'] as const)('TinyauthClient with httpClient %s', (httpClient) => {
  let server: ScriptedServer;
  let client: TinyauthClient;
  const clientFor = (endpoint: string, extra: Record<string, unknown> = {}, http?: HttpService) =>
    newClient(endpoint, { httpClient, ...extra }, http);
  beforeAll(async () => {
    server = await startScriptedServer((req, res) => {
      if (req.url.endsWith('/redirect')) return void res.writeHead(302, { Location: '/elsewhere' }).end();
      if (req.url.endsWith('/silent')) return; // never answers
      if (req.url.endsWith('/huge')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        for (let i = 0; i < 80; i++) res.write(chunk); // 5 MiB
        return void res.end();
      }
      res.writeHead(req.url.endsWith('/teapot') ? 418 : 200, {
        'Content-Type': 'application/json',
        'X-Mixed-Case': 'v',
      });
      res.end(req.body || '{"ok":true}');
    });
    // Generous, so no answer races the clock on a busy machine; the timeout case uses its own client.
    client = clientFor(server.url, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await client.onModuleDestroy();
    await server.close();
  });

  it('sends the service key, JSON headers and the body as given', async () => {
    server.requests.length = 0;
    const res = await client.send('POST', 'api/v1/echo', '{"a":1}');
    expect(res).toMatchObject({ status: 200, body: '{"a":1}' });
    expect(res.headers['x-mixed-case']).toBe('v');
    const [sent] = server.requests;
    expect(sent.url).toBe('/api/v1/echo');
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from('AKSVC:svc-secret').toString('base64')}`);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers.accept).toBe('application/json');
  });

  it('passes any status through and never follows redirects', async () => {
    expect((await client.get('api/v1/teapot')).status).toBe(418);
    const redirect = await client.get('api/v1/redirect');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/elsewhere');
  });

  it('maps a silent server to a timeout error', async () => {
    const impatient = clientFor(server.url, { timeoutMs: 300 });
    const err = await impatient.get('api/v1/silent').catch((e: unknown) => e);
    await impatient.onModuleDestroy();
    expect(err).toBeInstanceOf(TinyauthClientError);
    expect((err as TinyauthClientError).kind).toBe('timeout');
  });

  it('refuses to buffer an oversized answer', async () => {
    const err = await client.get('api/v1/huge').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TinyauthClientError);
    expect((err as TinyauthClientError).kind).toBe('malformed-response');
    // The connection is still usable for the next request.
    expect((await client.get('api/v1/teapot')).status).toBe(418);
  });

  it('maps a refused connection to a connection error that names no secret', async () => {
    const down = clientFor(await closedPortUrl());
    const err = await down.get('x').catch((e: unknown) => e);
    expect((err as TinyauthClientError).kind).toBe('connection');
    expect(String((err as Error).message)).not.toContain('svc-secret');
    await down.onModuleDestroy();
  });

  it(
    httpClient === 'undici'
      ? 'never involves the HttpService: no interceptor, no axios default'
      : 'still runs the HttpModule interceptors',
    async () => {
      const instance = axios.create({ params: { tenant: 'acme' }, headers: { 'X-Default': 'd' } });
      const seen: string[] = [];
      instance.interceptors.request.use((config) => {
        seen.push(String(config.url));
        return config;
      });
      const intercepted = clientFor(server.url, {}, new HttpService(instance));
      server.requests.length = 0;
      await intercepted.get('api/v1/ping');
      await intercepted.onModuleDestroy();
      const [sent] = server.requests;
      if (httpClient === 'undici') {
        expect(seen).toEqual([]);
        expect(sent.url).toBe('/api/v1/ping');
        expect(sent.headers['x-default']).toBeUndefined();
      } else {
        expect(seen).toEqual([`${server.url}api/v1/ping`]);
        // axios' own encoding of the default params, as its http adapter would send them.
        expect(sent.url).toBe('/api/v1/ping?tenant=acme');
        expect(sent.headers['x-default']).toBe('d');
      }
    },
  );

  it('verifies TLS certificates by default', async () => {
    // A plain-http server spoken to over https fails the handshake: a connection error, never an answer.
    const plain = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const { port } = plain.address() as AddressInfo;
    const tls = clientFor(`https://127.0.0.1:${port}/`, { timeoutMs: 1000 });
    const err = await tls.get('x').catch((e: unknown) => e);
    expect(['connection', 'timeout']).toContain((err as TinyauthClientError).kind);
    await tls.onModuleDestroy();
    plain.close();
  });
});

describe('splitUrl', () => {
  it('splits plain absolute URLs without parsing, and parses the rest', () => {
    expect(splitUrl('http://Host:5000/base/api?x=1')).toEqual({
      origin: 'http://host:5000',
      path: '/base/api?x=1',
    });
    expect(splitUrl('http://h/a b')).toEqual({ origin: 'http://h', path: '/a%20b' });
    expect(splitUrl('/api', 'https://h:8443/')).toEqual({ origin: 'https://h:8443', path: '/api' });
  });
});
