/**
 * TinyauthGuard on WebSocket gateways, with real clients: socket.io (socket.io-client) and the `ws` adapter (a
 * `ws` client), against the compatible server. Connections are checked as they open, every message is checked
 * with the handshake's credentials (so a session expiring mid-connection stops being accepted), and every
 * decision matches the HTTP twin route's.
 */
import { WsAdapter } from '@nestjs/platform-ws';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { jwtKey, signJwt, utcDateStamp } from '../../src/core';
import { startApp, type RunningApp } from '../helpers/http-apps';
import { gatewayAppModule } from '../helpers/transport-apps';
import { ALICE_KEY, BOB_KEY, SERVICE_KEY, basic, guardFixture } from '../helpers/guard-fixture';

const SIGNING_KEY = 'ws-test-signing-key';

/** A session token for `user` that expires at `exp` (seconds), signed as the compatible server signs them. */
function session(user: string, exp: number): string {
  const iat = Math.floor(Date.now() / 1000) - 5;
  const key = jwtKey({
    region: 'global',
    service: 'test',
    date: utcDateStamp(new Date(iat * 1000)),
    identity: user,
    secret: SIGNING_KEY,
  });
  return `tinysess=${signJwt({ user, mfa: false, exp, iat }, key)}`;
}

type Headers = Record<string, string>;
type Outcome = { accepted: true; data?: unknown } | { accepted: false; exception: unknown };

/** A connected client of either kind, reduced to what the tests need. */
interface TestClient {
  /** Resolves when the server closes the connection, with the denial it sent first, if any. */
  refused: Promise<unknown>;
  send(event: string, data: unknown): Promise<Outcome>;
  close(): void;
}

function socketIoClient(url: string, headers: Headers): TestClient {
  const socket: Socket = io(url, { transports: ['websocket'], extraHeaders: headers, reconnection: false });
  let lastException: unknown;
  socket.on('exception', (e: unknown) => {
    lastException = e;
  });
  const refused = new Promise<unknown>((resolve) => {
    socket.on('disconnect', () => resolve(lastException));
    socket.on('connect_error', () => resolve(undefined));
  });
  return {
    refused,
    send: (event, data) =>
      new Promise<Outcome>((resolve) => {
        socket.once(event, (reply: unknown) => resolve({ accepted: true, data: reply }));
        socket.once('exception', (exception: unknown) => resolve({ accepted: false, exception }));
        socket.emit(event, data);
      }),
    close: () => socket.close(),
  };
}

function wsClient(url: string, headers: Headers): TestClient {
  const ws = new WebSocket(url.replace('http', 'ws'), { headers });
  const waiting: Array<(message: { event: string; data: unknown }) => void> = [];
  let refusal: unknown;
  ws.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { event: string; data: unknown };
    if (message.event === 'exception') refusal = message.data;
    waiting.shift()?.(message);
  });
  const refused = new Promise<unknown>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason), data: refusal }));
  });
  const ready = new Promise<void>((resolve) => ws.on('open', () => resolve()));
  return {
    refused,
    send: (event, data) =>
      new Promise<Outcome>((resolve) => {
        waiting.push((m) =>
          resolve(
            m.event === 'exception'
              ? { accepted: false, exception: m.data }
              : { accepted: true, data: m.data },
          ),
        );
        void ready.then(() => ws.send(JSON.stringify({ event, data })));
      }),
    close: () => ws.close(),
  };
}

let tinyauth: TinyauthServer;

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: guardFixture, signingKey: SIGNING_KEY });
});
afterAll(() => tinyauth.close());

const KINDS: Array<[string, (url: string, headers: Headers) => TestClient, boolean]> = [
  ['socket.io', socketIoClient, false],
  ['ws adapter', wsClient, true],
];

describe.each(KINDS)('WebSocket gateway: %s', (_kind, connect, useWsAdapter) => {
  let app: RunningApp;
  const clients: TestClient[] = [];
  const open = async (headers: Headers): Promise<TestClient> => {
    const client = connect(app.url, headers);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const options = {
      endpoint: tinyauth.url,
      accessKeyId: SERVICE_KEY.id,
      secretAccessKey: SERVICE_KEY.secret,
      service: 'test',
    };
    app = await startApp('express', gatewayAppModule(options), {
      setup: (a) => {
        if (useWsAdapter) a.useWebSocketAdapter(new WsAdapter(a));
      },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await app.close();
  });

  it('refuses a connection without credentials with the denial', async () => {
    const refusal = await (await open({})).refused;
    expect(JSON.stringify(refusal)).toContain('{"Authorized":false,"ErrorCode":"UnsignedRequest"}');
    if (useWsAdapter) expect(refusal).toMatchObject({ code: 1008, reason: 'UnsignedRequest' });
  });

  it('refuses a connection whose user lacks the gateway action', async () => {
    const refusal = await (await open({ Authorization: basic(BOB_KEY) })).refused;
    expect(JSON.stringify(refusal)).toContain('{"Authorized":false,"ErrorCode":"NotPermitted"}');
  });

  it('allows a message and injects the identity; denies another with WsException-shaped data', async () => {
    const client = await open({ Authorization: basic(ALICE_KEY) });
    expect(await client.send('apple', { name: 'fred' })).toEqual({
      accepted: true,
      data: { name: 'fred', who: 'alice' },
    });
    expect(await client.send('apple', { name: 'rotten' })).toEqual({
      accepted: false,
      exception: { Authorized: false, ErrorCode: 'NotPermitted' },
    });
    // A payload without the named field is refused, never a crash.
    expect(await client.send('apple', null)).toEqual({
      accepted: false,
      exception: { Authorized: false, ErrorCode: 'NotPermitted' },
    });
    // TinyauthService inside the handler, from the socket: the same shape.
    expect(await client.send('inside', { name: 'rotten' })).toEqual({
      accepted: false,
      exception: { Authorized: false, ErrorCode: 'NotPermitted' },
    });
    expect(await client.send('inside', { name: 'fred' })).toEqual({
      accepted: true,
      data: { name: 'fred', who: 'alice' },
    });
  });

  it.each(['fred', 'rotten', 'pip'])('reaches the HTTP twin route’s decision for %s', async (name) => {
    const headers = { Authorization: basic(ALICE_KEY) };
    const client = await open(headers);
    const outcome = await client.send('apple', { name });
    const rest = await fetch(`${app.url}/ws-twin/${name}`, { headers });
    await rest.arrayBuffer();
    expect(outcome.accepted).toBe(rest.status === 200);
  });

  it('stops accepting messages once the session expires during the connection', async () => {
    // Expires 2 s from now (whole seconds, as JWT exp is); checked again well past it so no clock can race.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const client = await open({ Cookie: session('alice', exp) });
    expect(await client.send('apple', { name: 'fred' })).toMatchObject({ accepted: true });
    await new Promise((r) => setTimeout(r, exp * 1000 + 1500 - Date.now()));
    expect(await client.send('apple', { name: 'fred' })).toEqual({
      accepted: false,
      exception: { Authorized: false, ErrorCode: 'InvalidSignature' },
    });
  });
});
