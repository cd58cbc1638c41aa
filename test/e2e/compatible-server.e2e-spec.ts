/**
 * Replays every recorded exchange of the real tinyauth server (../shared/tinyauth-conformance/http-exchanges.json)
 * against the compatible server over real HTTP, plus behaviour the recording does not cover.
 */
import { request } from 'node:http';
import { decodeJwtUnverified, jwtKey, utcDateStamp, verifyJwt } from '../../src/core';
import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { validateFixture } from '../../src/testing/fixture';
import { loadHttpExchanges, type Exchange, type SigningKeyInputs } from '../helpers/conformance';

const data = loadHttpExchanges();
const SECRET = data.server_config.SECRET_SIGNING_KEY;
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

let server: TinyauthServer;

function send(s: Sent): Promise<Got> {
  const url = new URL(s.path.replace(/^\//, ''), server.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: s.method, headers: s.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    if (s.body !== undefined) req.write(s.body);
    req.end();
  });
}

function header(got: Got, name: string): string | undefined {
  const v = got.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

function keyFor(inputs: SigningKeyInputs, date: string): Buffer {
  return jwtKey({
    region: inputs.region,
    service: inputs.service,
    date,
    identity: inputs.identity,
    secret: SECRET,
  });
}

/** Structure and signature of a token returned by get-token-for-login. */
function expectIssuedToken(token: unknown, csrf: unknown, ex: Exchange): void {
  const facts = ex.token_facts;
  if (facts === undefined || typeof token !== 'string') throw new Error(`${ex.id}: no token facts / token`);
  const d = decodeJwtUnverified(token);
  if (!d.ok) throw new Error(`${ex.id}: token does not decode: ${d.reason}`);
  expect(d.jwt.header).toEqual(facts.header);
  expect(Object.keys(d.jwt.payload)).toEqual(facts.claim_order);
  expect(d.jwt.payload.user).toBe(facts.claims.user);
  expect(d.jwt.payload.mfa).toBe(false);
  const iat = d.jwt.payload.iat as number;
  expect(Number.isInteger(iat)).toBe(true);
  expect((d.jwt.payload.exp as number) - iat).toBe(facts.exp_minus_iat_seconds);
  expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(60);
  expect(verifyJwt(token, keyFor(facts.signing_key_inputs, utcDateStamp(iat)), iat).ok).toBe(true);
  if (facts.claim_order.includes('csrf-token')) {
    expect(csrf).toBe(d.jwt.payload['csrf-token']);
    expect(csrf).toMatch(UUID4);
  } else {
    expect(csrf).toBeUndefined();
  }
}

/** Mints a fresh session with `uses_token.mint_request` and substitutes it for the recorded (expired) one. */
async function substituteToken(ex: Exchange): Promise<Sent> {
  const uses = ex.uses_token;
  const r = ex.request;
  const sent: Sent = { method: r.method, path: r.path, headers: { ...r.headers } };
  let body = r.json !== undefined ? JSON.stringify(r.json) : r.body;
  if (uses?.mint_request === undefined) return { ...sent, body };
  const mint = uses.mint_request;
  const res = await send({
    method: mint.method,
    path: mint.path,
    headers: { 'Content-Type': 'application/json', Authorization: mint.outer_authorization ?? '' },
    body: JSON.stringify(mint.json),
  });
  expect(res.status).toBe(200);
  const fresh = JSON.parse(res.text) as { token: string; csrf?: string };
  const freshParts = fresh.token.split('.');
  const freshClaims = decodeJwtUnverified(fresh.token);
  if (!freshClaims.ok) throw new Error('fresh token does not decode');
  const original = uses.recorded_token_claims ?? {};
  const replace = (text: string): string =>
    text.replace(JWT_LIKE, (found) => {
      const rec = decodeJwtUnverified(found);
      if (!rec.ok) return found;
      const changed = Object.keys(rec.jwt.payload).filter(
        (k) => JSON.stringify(rec.jwt.payload[k]) !== JSON.stringify(original[k]),
      );
      if (changed.length === 0) return fresh.token;
      // payload tampering: apply the same claim changes to the fresh token, keep its signature
      const claims: Record<string, unknown> = { ...freshClaims.jwt.payload };
      for (const k of changed) claims[k] = rec.jwt.payload[k];
      return `${freshParts[0]}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${freshParts[2]}`;
    });
  const recCsrf = original['csrf-token'];
  const swapCsrf = (text: string): string =>
    typeof recCsrf === 'string' && fresh.csrf ? text.split(recCsrf).join(fresh.csrf) : text;
  if (body !== undefined) body = swapCsrf(replace(body));
  for (const [k, v] of Object.entries(sent.headers ?? {}))
    (sent.headers as Record<string, string>)[k] = swapCsrf(replace(v));
  return { ...sent, body };
}

function judgeHeaders(ex: Exchange, sent: Sent, got: Got): void {
  const rec = ex.response.headers;
  const sentRid = Object.entries(sent.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-request-id')?.[1];
  const rid = header(got, 'X-Request-Id');
  if (sentRid !== undefined) expect(rid).toBe(sentRid);
  else {
    expect(rid).toMatch(UUID4);
    expect(rid).not.toBe(rec['X-Request-Id']);
  }
  expect(header(got, 'Date')).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  for (const n of ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers']) {
    if (rec[n] !== undefined) expect(header(got, n)).toBe(rec[n]);
  }
  if (rec.Allow !== undefined) {
    const norm = (s: string | undefined): string =>
      (s ?? '')
        .split(',')
        .map((x) => x.trim())
        .sort()
        .join(',');
    expect(norm(header(got, 'Allow'))).toBe(norm(rec.Allow));
  }
  if (rec['Cache-Control'] !== undefined) {
    expect(header(got, 'Cache-Control')).toBe(rec['Cache-Control']);
    const delta = (Date.parse(header(got, 'Expires') ?? '') - Date.parse(header(got, 'Date') ?? '')) / 1000;
    expect(Math.abs(delta - (ex.response.expires_minus_date_seconds ?? NaN))).toBeLessThanOrEqual(2);
  } else {
    expect(header(got, 'Cache-Control')).toBeUndefined();
    expect(header(got, 'Expires')).toBeUndefined();
  }
}

beforeAll(async () => {
  server = await startTinyauthServer({ fixture: data.fixtures, signingKey: SECRET });
});

afterAll(async () => {
  await server.close();
});

describe('compatible server: replay of every recorded exchange', () => {
  const titled = data.exchanges.map(
    (ex) => [`${ex.id} [${ex.group}] ${ex.name}${ex.quirk ? ' (quirk matched)' : ''}`, ex] as const,
  );
  it.each(titled)('%s', async (_title, ex) => {
    const sent = await substituteToken(ex);
    const got = await send(sent);
    expect(got.status).toBe(ex.response.status);
    const ct = header(got, 'Content-Type') ?? '';
    if (ex.response.json !== undefined) {
      expect(ct.split(';')[0]).toBe('application/json');
      const body = JSON.parse(got.text) as Record<string, unknown>;
      const recorded = ex.response.json as Record<string, unknown>;
      if (typeof recorded === 'object' && recorded !== null && 'token' in recorded) {
        expect(Object.keys(body).sort()).toEqual(Object.keys(recorded).sort());
        expect(body.token).not.toBe(recorded.token);
        expectIssuedToken(body.token, body.csrf, ex);
      } else {
        expect(body).toEqual(recorded);
      }
    } else {
      expect(ct).not.toMatch(/json/);
      expect(ct).toMatch(/^text\/html/);
    }
    judgeHeaders(ex, sent, got);
  });
});

describe('compatible server: behaviour outside the recording', () => {
  const svc = 'Basic ' + Buffer.from('AKSVCMYSERVICE:svc-myservice-secret').toString('base64');
  const abt = (body: unknown, extra: Record<string, string> = {}): Sent => ({
    method: 'POST',
    path: '/api/v1/services/myservice/authorize-by-token',
    headers: { Authorization: svc, 'Content-Type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });
  const alice = [['Authorization', 'Basic ' + Buffer.from('AKALICE:alice-secret').toString('base64')]];
  const permit = { GetApple: ['arn:tinyauth:myservice:default::apples/fred'] };

  it('quirk 12: the outer SourceIp comes from X-Forwarded-For (one trusted hop)', async () => {
    const locked = 'Basic ' + Buffer.from('AKSVCIPLOCKED:svc-iplocked-secret').toString('base64');
    const body = { permit, headers: alice, context: {} };
    const direct = await send({ ...abt(body), headers: { ...abt(body).headers, Authorization: locked } });
    expect(direct.status).toBe(403);
    const spoofed = await send({
      ...abt(body),
      headers: { ...abt(body).headers, Authorization: locked, 'X-Forwarded-For': '192.0.2.1, 10.1.2.3' },
    });
    expect(spoofed.status).toBe(200);
  });

  it('quirk 5: the Basic prefix is case-sensitive', async () => {
    const lower = [['Authorization', 'basic ' + Buffer.from('AKALICE:alice-secret').toString('base64')]];
    const got = await send(abt({ permit, headers: lower, context: {} }));
    expect(JSON.parse(got.text)).toMatchObject({ Authorized: false, ErrorCode: 'UnsignedRequest' });
  });

  it('query-string arguments are "Unexpected argument"; a form body counts as an empty JSON body', async () => {
    const q = await send({
      ...abt({ permit, headers: alice, context: {} }),
      path: `${abt({}).path}?debug=1`,
    });
    expect(q.status).toBe(400);
    expect(JSON.parse(q.text)).toEqual({ errors: { debug: 'Unexpected argument' } });
    const form = await send({
      ...abt({}),
      headers: { Authorization: svc, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'permit=x',
    });
    expect(JSON.parse(form.text).errors).toMatchObject({
      permit: 'Unexpected argument',
      headers: expect.any(String),
    });
  });

  it('an empty permit never identifies (no 500 even for a broken session cookie)', async () => {
    const got = await send(abt({ permit: {}, headers: [['Cookie', 'tinysess=garbage']], context: {} }));
    expect(got.status).toBe(200);
    expect(JSON.parse(got.text)).toEqual({ Authorized: false, Permitted: {}, NotPermitted: {} });
  });

  it('answers a CORS preflight, echoing the Origin', async () => {
    const got = await send({
      method: 'OPTIONS',
      path: '/api/v1/services/myservice/authorize-by-token',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(got.status).toBe(200);
    expect(header(got, 'Access-Control-Allow-Origin')).toBe('https://app.example');
    expect(header(got, 'Access-Control-Allow-Methods')).toContain('POST');
    expect(header(got, 'Allow')).toBe('POST, OPTIONS');
  });

  it('rejects huge bodies with 413 and keeps serving', async () => {
    const got = await send(abt({ permit, headers: alice, context: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(got.status).toBe(413);
    const after = await send(abt({ permit, headers: alice, context: {} }));
    expect(JSON.parse(after.text)).toMatchObject({ Authorized: true, Identity: 'alice' });
  });

  it('never crashes on hostile bodies', async () => {
    const bodies = [
      '{"permit": {"__proto__": ["x"]}, "headers": [], "context": {"__proto__": {"Mfa": true}}}',
      '{"permit": [[5, ["x"]]], "headers": [], "context": {}}',
      '{"permit": {"a": 5}, "headers": [], "context": {}}',
      '"just a string"',
      'null',
      '{"permit": {"GetApple": ["x"]}, "headers": [["Authorization", "Basic \u{1F34E}"]], "context": {}}',
    ];
    for (const body of bodies) {
      const got = await send({ ...abt({}), body });
      expect([200, 400, 500]).toContain(got.status);
    }
    const proto = await send({ ...abt({}), body: bodies[0] });
    expect(JSON.parse(proto.text)).toMatchObject({ NotPermitted: { ['__proto__']: ['x'] } });
  });

  it('reload swaps the store content', async () => {
    const other = await startTinyauthServer({ fixture: { users: [] } });
    try {
      await other.store.reload({ users: [{ username: 'u', access_keys: [['AK', 's']] }] });
      expect(other.store.hasUser('u')).toBe(true);
      await expect(other.store.reload({ users: [{ username: 5 }] } as never)).rejects.toThrow(
        'fixture.users[0].username',
      );
      expect(other.store.hasUser('u')).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe('fixture validation names the bad field', () => {
  it.each([
    [{ users: {} }, 'fixture.users: expected an array'],
    [
      { users: [{ username: 'a', access_keys: [['id']] }] },
      'fixture.users[0].access_keys[0]: expected [id, secret]',
    ],
    [
      { users: [{ username: 'a' }, { username: 'b' }, { username: 'c', access_keys: [['x', 1]] }] },
      'fixture.users[2].access_keys[0]: expected [id, secret]',
    ],
    [{ users: [{ username: 'a', groups: ['nope'] }] }, 'fixture.users[0].groups[0]: unknown group "nope"'],
    [
      { users: [{ username: 'a', policies: [{ name: 'p', policy: [] }] }] },
      'fixture.users[0].policies[0].policy: expected an object',
    ],
    [{ users: [{ username: 'a' }, { username: 'a' }] }, 'fixture.users[1].username: duplicate user "a"'],
    [{ groups: [{ name: 1 }] }, 'fixture.groups[0].name: expected a string'],
    [{ root: { username: 'r', password: 5 } }, 'fixture.root.password: expected a string'],
  ])('%j', (fixture, message) => {
    expect(() => validateFixture(fixture)).toThrow(message);
  });

  it('loads the recorded fixtures exactly as they are', () => {
    expect(() => validateFixture(data.fixtures)).not.toThrow();
  });
});
