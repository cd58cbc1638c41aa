/**
 * The `httpClient` option: by default every call to tinyauth goes through the app's `HttpService`, so its axios
 * interceptors and defaults apply, whenever they were registered; `undici` skips axios on purpose. Real HTTP on
 * Express and Fastify, against the compatible server behind a recording recorded.proxy.
 */
import { HttpService } from '@nestjs/axios';
import type { AxiosInstance } from 'axios';
import { ADAPTERS, startApp, type RunningApp } from '../helpers/http-apps';
import { guardAppModule } from '../helpers/guard-app';
import { ALICE_KEY, BOB_KEY, SERVICE_KEY, basic, serviceOptions } from '../helpers/guard-fixture';
import { useRecordedTinyauth } from '../helpers/recorded-tinyauth';

/** The axios instance behind the app's HttpService (the one an app gets by importing `HttpModule`). */
const axiosOf = (app: RunningApp): AxiosInstance => app.app.get(HttpService, { strict: false }).axiosRef;

const recorded = useRecordedTinyauth();
const options = serviceOptions;

/** Requests covering allow, deny, no credentials, a session, a batch and a check made inside a handler. */
const traffic = (): Array<[string, Record<string, string>]> => [
  ['/apples/fred', { Authorization: basic(ALICE_KEY) }],
  ['/apples', { Authorization: basic(BOB_KEY) }],
  ['/apples/fred', {}],
  ['/apples/fred', { Cookie: recorded.aliceSession }],
  ['/apples/batch/select?names=fred,ginger', { Authorization: basic(ALICE_KEY) }],
  ['/apples/inside/fred', { Authorization: basic(ALICE_KEY) }],
];

async function statuses(app: RunningApp): Promise<number[]> {
  const out: number[] = [];
  for (const [path, headers] of traffic()) out.push((await fetch(`${app.url}${path}`, { headers })).status);
  return out;
}

describe.each(ADAPTERS)('httpClient (%s)', (adapter) => {
  describe.each(['remote', 'local'] as const)('default (http-service), %s mode', (mode) => {
    let app: RunningApp;
    // A fresh app per test: local mode caches keys and policies, and each test counts the calls it causes.
    beforeEach(async () => {
      app = await startApp(adapter, guardAppModule(options(recorded.proxy.url, { mode })));
      recorded.proxy.requests.length = 0;
    });
    afterEach(() => app.close());

    it('runs an interceptor registered after start-up on every call to tinyauth', async () => {
      const http = axiosOf(app);
      let requests = 0;
      let answers = 0;
      const request = http.interceptors.request.use((config) => {
        config.headers.set('X-Trace-Id', `trace-${++requests}`);
        return config;
      });
      const response = http.interceptors.response.use((res) => {
        answers++;
        return res;
      });
      try {
        expect(await statuses(app)).toEqual([200, 403, 401, 200, 200, 200]);
      } finally {
        http.interceptors.request.eject(request);
        http.interceptors.response.eject(response);
      }
      // local mode asks for keys and policies, remote mode for decisions: each call went through axios.
      expect(recorded.proxy.requests.length).toBeGreaterThan(0);
      expect(requests).toBe(recorded.proxy.requests.length);
      expect(answers).toBe(recorded.proxy.requests.length);
      expect(recorded.proxy.requests.map((r) => r.headers['x-trace-id'])).toEqual(
        recorded.proxy.requests.map((_r, i) => `trace-${i + 1}`),
      );
    });

    it("sends the HttpModule's default headers, of any shape, with every call", async () => {
      const http = axiosOf(app);
      const saved = { ...http.defaults.headers.common };
      http.defaults.headers.common['X-Route'] = ['blue', 'green'];
      http.defaults.headers.post['X-Posted'] = 'yes';
      try {
        expect(await statuses(app)).toEqual([200, 403, 401, 200, 200, 200]);
      } finally {
        http.defaults.headers.common = saved;
        delete http.defaults.headers.post['X-Posted'];
      }
      expect(recorded.proxy.requests.length).toBeGreaterThan(0);
      for (const sent of recorded.proxy.requests) {
        expect(sent.headers['x-route']).toBe('blue, green');
        expect(sent.headers['x-posted']).toBe(sent.method === 'POST' ? 'yes' : undefined);
        expect(sent.headers.authorization).toBe(basic(SERVICE_KEY));
      }
    });

    it('fails closed when an interceptor throws', async () => {
      const http = axiosOf(app);
      const broken = http.interceptors.request.use(() => {
        throw new Error('tracing backend down');
      });
      try {
        const res = await fetch(`${app.url}/apples/fred`, { headers: { Authorization: basic(ALICE_KEY) } });
        expect(res.status).toBe(503);
        expect(await res.text()).not.toContain('tracing backend down');
      } finally {
        http.interceptors.request.eject(broken);
      }
    });
  });

  describe.each(['remote', 'local'] as const)("'undici', %s mode", (mode) => {
    let app: RunningApp;
    let reference: RunningApp;
    beforeAll(async () => {
      app = await startApp(
        adapter,
        guardAppModule(options(recorded.proxy.url, { mode, httpClient: 'undici' })),
      );
      reference = await startApp(adapter, guardAppModule(options(recorded.proxy.url, { mode })));
    });
    afterAll(async () => {
      await app.close();
      await reference.close();
    });

    it('skips axios entirely and sends only its own headers, with the same decisions', async () => {
      const http = axiosOf(app);
      let intercepted = 0;
      const request = http.interceptors.request.use((config) => {
        intercepted++;
        return config;
      });
      http.defaults.headers.common['X-Route'] = 'blue';
      let got: number[];
      try {
        got = await statuses(app);
      } finally {
        http.interceptors.request.eject(request);
        delete http.defaults.headers.common['X-Route'];
      }
      expect(intercepted).toBe(0);
      expect(recorded.proxy.requests.length).toBeGreaterThan(0);
      for (const sent of recorded.proxy.requests) {
        expect(sent.headers.authorization).toBe(basic(SERVICE_KEY));
        expect(sent.headers.accept).toBe('application/json');
        expect(sent.headers['x-route']).toBeUndefined();
        expect(sent.url).not.toContain('?');
      }
      expect(got).toEqual(await statuses(reference));
      expect(got).toEqual([200, 403, 401, 200, 200, 200]);
    });
  });
});
