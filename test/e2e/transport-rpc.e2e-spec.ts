/**
 * TinyauthGuard on microservice handlers over TCP, reached with a ClientProxy, in a hybrid app (HTTP and a
 * microservice in one process under one global guard), against the compatible server. Credentials travel in the
 * payload's `headers` field; denials arrive as the RpcException's object; every decision matches the HTTP route's.
 */
import type { AddressInfo, Server } from 'node:net';
import { NestFactory } from '@nestjs/core';
import {
  ClientProxyFactory,
  Transport,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import type { TinyauthModuleOptions } from 'nestjs-tinyauth';
import { hybridAppModule } from '../helpers/transport-apps';
import { ALICE_KEY, BOB_KEY, SERVICE_KEY, basic, guardFixture } from '../helpers/guard-fixture';
import { closedPortUrl } from '../helpers/scripted-server';

interface Hybrid {
  httpUrl: string;
  client: ClientProxy;
  close(): Promise<void>;
}

async function startHybrid(
  endpoint: string,
  extra: Pick<TinyauthModuleOptions, 'rpcHeaders'> = {},
): Promise<Hybrid> {
  const module = hybridAppModule({
    endpoint,
    accessKeyId: SERVICE_KEY.id,
    secretAccessKey: SERVICE_KEY.secret,
    service: 'test',
    ...extra,
  });
  const app = await NestFactory.create(module, { logger: false, abortOnError: false });
  const microservice = app.connectMicroservice<MicroserviceOptions>(
    {
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: 0 },
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const rpcPort = (microservice.unwrap<Server>().address() as AddressInfo).port;
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const client = ClientProxyFactory.create({
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port: rpcPort },
  });
  await client.connect();
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    client,
    close: async () => {
      await client.close();
      await app.close();
    },
  };
}

/** Sends one message and reports its answer or the error object the caller received. */
async function send(
  h: Hybrid,
  pattern: string,
  payload: unknown,
): Promise<{ ok: unknown } | { error: unknown }> {
  try {
    return { ok: await firstValueFrom(h.client.send(pattern, payload)) };
  } catch (error) {
    return { error };
  }
}

let tinyauth: TinyauthServer;
let hybrid: Hybrid;

beforeAll(async () => {
  tinyauth = await startTinyauthServer({ fixture: guardFixture });
  hybrid = await startHybrid(tinyauth.url);
});
afterAll(async () => {
  await hybrid.close();
  await tinyauth.close();
});

const alice = { authorization: basic(ALICE_KEY) };

it('allows a message with credentials in its headers field and injects the identity', async () => {
  expect(await send(hybrid, 'apple', { name: 'fred', headers: alice })).toEqual({
    ok: { name: 'fred', who: 'alice' },
  });
});

it.each([
  ['no credentials', { name: 'fred' }, 'UnsignedRequest'],
  [
    'a wrong secret',
    { name: 'fred', headers: { authorization: basic({ id: 'AKALICE', secret: 'x' }) } },
    'InvalidSignature',
  ],
  ['a refused resource', { name: 'rotten', headers: alice }, 'NotPermitted'],
  ['a payload that is not an object', 'fred', 'NotPermitted'],
  ['a list payload', ['fred'], 'NotPermitted'],
  ['a payload without the named field', { headers: alice }, 'NotPermitted'],
])('denies %s with the RpcException object', async (_c, payload, code) => {
  expect(await send(hybrid, 'apple', payload)).toEqual({ error: { Authorized: false, ErrorCode: code } });
});

it('denies a payload that is not an object, on a handler with no resource: 401, never a crash', async () => {
  // (ClientProxy refuses to send null itself; a bare number is the nearest thing.)
  expect(await send(hybrid, 'ping', 0)).toEqual({
    error: { Authorized: false, ErrorCode: 'UnsignedRequest' },
  });
  expect(await send(hybrid, 'ping', { headers: alice })).toEqual({ ok: { who: 'alice' } });
});

it('denies through TinyauthService inside a handler with the same shape', async () => {
  expect(await send(hybrid, 'eat', { name: 'rotten', headers: alice })).toEqual({
    error: { Authorized: false, ErrorCode: 'NotPermitted' },
  });
  expect(await send(hybrid, 'eat', { name: 'fred', headers: alice })).toEqual({ ok: { eaten: 'fred' } });
});

it.each([
  ['alice', alice, 'fred'],
  ['alice on a refused apple', alice, 'rotten'],
  ['bob', { authorization: basic(BOB_KEY) }, 'fred'],
  ['anonymous', {}, 'fred'],
])('reaches the decision of the HTTP route of the same hybrid app for %s', async (_who, headers, name) => {
  const rpc = await send(hybrid, 'apple', { name, headers });
  const res = await fetch(`${hybrid.httpUrl}/rpc-twin/${name}`, { headers });
  const body = (await res.json()) as { ErrorCode?: string };
  if (res.status === 200) expect(rpc).toMatchObject({ ok: { name } });
  else expect(rpc).toEqual({ error: { Authorized: false, ErrorCode: body.ErrorCode } });
});

it('fails closed with TinyauthUnavailable when tinyauth is down', async () => {
  const down = await startHybrid(await closedPortUrl());
  try {
    expect(await send(down, 'apple', { name: 'fred', headers: alice })).toEqual({
      error: { Authorized: false, ErrorCode: 'TinyauthUnavailable' },
    });
    const res = await fetch(`${down.httpUrl}/rpc-twin/fred`, { headers: alice });
    expect(res.status).toBe(503);
  } finally {
    await down.close();
  }
});

describe('the rpcHeaders option', () => {
  let custom: Hybrid;
  beforeAll(async () => {
    // An app whose callers put the Authorization value in a top-level `auth` field instead of `headers`.
    custom = await startHybrid(tinyauth.url, {
      rpcHeaders: (data) => {
        const auth = (data as { auth?: unknown } | null)?.auth;
        if (auth === 'explode') throw new Error('a reader that fails gives no credentials');
        return typeof auth === 'string' ? [['Authorization', auth]] : [];
      },
    });
  });
  afterAll(() => custom.close());

  it('reads the credentials where the option says', async () => {
    expect(await send(custom, 'apple', { name: 'fred', auth: alice.authorization })).toEqual({
      ok: { name: 'fred', who: 'alice' },
    });
  });

  it('replaces the default: the headers field is no longer read', async () => {
    expect(await send(custom, 'apple', { name: 'fred', headers: alice })).toEqual({
      error: { Authorized: false, ErrorCode: 'UnsignedRequest' },
    });
  });

  it('treats a reader that throws as no credentials', async () => {
    expect(await send(custom, 'apple', { name: 'fred', auth: 'explode' })).toEqual({
      error: { Authorized: false, ErrorCode: 'UnsignedRequest' },
    });
  });
});
