import { startTinyauthServer, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { guardFixture, sessionCookie } from './guard-fixture';
import { startRecordingProxy, type ScriptedServer } from './scripted-server';

/** The compatible server on the guard fixture, a recording proxy in front of it, and alice's session cookie. */
export interface RecordedTinyauth {
  tinyauth: TinyauthServer;
  proxy: ScriptedServer;
  aliceSession: string;
}

/**
 * Starts a {@link RecordedTinyauth} before the enclosing suite and closes it after; the proxy's record is emptied
 * before each test. The returned object is filled in by `beforeAll`: read its fields inside hooks and tests only.
 */
export function useRecordedTinyauth(): RecordedTinyauth {
  const running = {} as RecordedTinyauth;
  beforeAll(async () => {
    running.tinyauth = await startTinyauthServer({ fixture: guardFixture });
    running.proxy = await startRecordingProxy(running.tinyauth.url);
    running.aliceSession = await sessionCookie(running.tinyauth.url, 'alice', 'alice-pass');
  });
  afterAll(async () => {
    await running.proxy?.close();
    await running.tinyauth?.close();
  });
  beforeEach(() => {
    running.proxy.requests.length = 0;
  });
  return running;
}
