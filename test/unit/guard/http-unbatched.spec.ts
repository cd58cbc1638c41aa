import 'reflect-metadata';
import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { RequireAction, TinyauthGuard } from 'nestjs-tinyauth';
import { BatchingAuthorizer, withoutBatching } from '../../../src/authorizer/batching.authorizer';
import { BypassAuthorizer } from '../../../src/authorizer/bypass.authorizer';
import type { Authorizer } from '../../../src/authorizer/authorizer.interface';
import { resolveTinyauthOptions } from '../../../src/options/resolve-options';

@Controller()
class ApplesController {
  @Get('apples/:name')
  @RequireAction('GetApple', 'apples', 'name')
  apple(): object {
    return {};
  }
}

const options = resolveTinyauthOptions({
  endpoint: 'http://127.0.0.1:9/',
  accessKeyId: 'AKSERVICE',
  secretAccessKey: 'service-secret',
  service: 'apples',
  bypass: true,
});

function context(type: 'http' | 'graphql'): ExecutionContextHost {
  const request = {
    method: 'GET',
    url: '/apples/fred',
    ip: '127.0.0.1',
    params: { name: 'fred' },
    rawHeaders: ['Authorization', 'Basic dXNlcjpwYXNz'],
  };
  // GraphQL's arguments are [root, args, context, info]; the HTTP request rides in the context.
  const args =
    type === 'http' ? [request, {}, undefined] : [undefined, { name: 'fred' }, { req: request }, {}];
  const host = new ExecutionContextHost(args, ApplesController, ApplesController.prototype.apple);
  host.setType(type);
  return host;
}

/** Lets every queued promise job run, but no macrotask (timers, setImmediate, I/O). */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

describe('the guard and per-tick batching', () => {
  const guard = new TinyauthGuard(
    new Reflector(),
    options,
    new BatchingAuthorizer(new BypassAuthorizer(), { inProcess: true }),
  );

  it('decides an HTTP request without waiting a turn of the event loop in front of an in-process strategy', async () => {
    let settled: boolean | undefined;
    void guard.canActivate(context('http')).then((allowed) => (settled = allowed));
    await drainMicrotasks();
    expect(settled).toBe(true);
  });

  it('still collects a GraphQL field for one event-loop turn, so sibling fields share one decision', async () => {
    let settled: boolean | undefined;
    const decided = guard.canActivate(context('graphql')).then((allowed) => (settled = allowed));
    await drainMicrotasks();
    expect(settled).toBeUndefined();
    await decided;
    expect(settled).toBe(true);
  });

  it('still lets concurrent HTTP requests of one caller share a call in front of tinyauth', async () => {
    let calls = 0;
    const bypass = new BypassAuthorizer();
    const counting: Authorizer = {
      authorize: (facts, checks) => {
        calls++;
        return bypass.authorize(facts, checks);
      },
    };
    const remoteGuard = new TinyauthGuard(new Reflector(), options, new BatchingAuthorizer(counting));
    const answers = await Promise.all([
      remoteGuard.canActivate(context('http')),
      remoteGuard.canActivate(context('http')),
    ]);
    expect(answers).toEqual([true, true]);
    expect(calls).toBe(1);
  });

  it('unwraps only the batching wrapper of an in-process strategy', () => {
    const strategy = new BypassAuthorizer();
    expect(withoutBatching(new BatchingAuthorizer(strategy, { inProcess: true }))).toBe(strategy);
    const remote = new BatchingAuthorizer(strategy);
    expect(withoutBatching(remote)).toBe(remote);
    expect(withoutBatching(strategy)).toBe(strategy);
  });
});
