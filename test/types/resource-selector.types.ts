/**
 * Type test of the callbacks the public API takes, compiled with `tsc --noEmit -p test/types/tsconfig.json` in
 * strict mode (part of `npm run lint`). Everything here must compile, and every `@ts-expect-error` line must fail
 * to: a directive with no error under it is itself an error (TS2578). Nothing here runs.
 */
import { Controller, Get, Post } from '@nestjs/common';
import type { Request } from 'express';
import type { FastifyRequest } from 'fastify';
import {
  RequireAction,
  type ResourceSelector,
  type TinyauthRequest,
  type TinyauthSelectorInput,
} from 'nestjs-tinyauth';
import { type ActionRequirement } from '../../src/decorators/require-action.decorator';

// The default shape: no annotation, and `req` is a TinyauthRequest (it was `unknown`, TS18046).
@Controller('apples')
export class DefaultShapeController {
  @Get(':name')
  @RequireAction('GetApple', 'apples', (req) => req.params.name.toUpperCase())
  one(): void {}

  @Get()
  @RequireAction('GetApple', 'apples', (req) => String(req.query.names ?? '').split(','))
  several(): void {}

  @Post()
  @RequireAction('CreateApple', 'apples', (req) => {
    const body = req.body as { name?: unknown } | undefined;
    return typeof body?.name === 'string' ? body.name : [];
  })
  create(): void {}

  @Get('mine/list')
  @RequireAction('ListApples', 'apples', (req) => `${String(req.user ?? 'anonymous')}/${req.type}`)
  mine(): void {}

  @Get('by-header/one')
  @RequireAction('GetApple', 'apples', (req) => [req.headers['x-apple'] ?? []].flat())
  byHeader(): void {}
}

// The app's own request type, given as the type parameter: `input.request` is typed with it once the
// transport is known to be HTTP.
@Controller('express')
export class ExpressController {
  @Get(':name')
  @RequireAction<Request>('GetApple', 'apples', (input) =>
    input.type === 'http' ? input.params.name + (input.request.get('x-suffix') ?? '') : [],
  )
  one(): void {}

  @Get(':owner/:name')
  @RequireAction('GetApple', 'apples', (input: TinyauthSelectorInput<Request>) =>
    input.type === 'http' ? `${input.request.params.owner}/${input.request.params.name}` : [],
  )
  owned(): void {}
}

type NamedRoute = { Params: { name: string }; Querystring: { also?: string } };

@Controller('fastify')
export class FastifyController {
  @Get(':name')
  @RequireAction<FastifyRequest<NamedRoute>>('GetApple', 'apples', (input) => {
    if (input.type !== 'http') return [];
    const { params, query } = input.request;
    return query.also ? [params.name, query.also] : [params.name];
  })
  one(): void {}

  @Get('host/:name')
  @RequireAction<FastifyRequest<NamedRoute>>('GetApple', 'apples', (input) =>
    input.type === 'http' ? `${input.request.hostname}/${input.request.params.name}` : [],
  )
  host(): void {}
}

// The same selector on every transport: GraphQL arguments, message payloads.
export const anyTransport = RequireAction('GetApple', 'apples', (input) => {
  if (input.type === 'graphql') return String(input.args.name);
  if (input.type === 'ws' || input.type === 'rpc') return String((input.data as { name?: unknown }).name);
  return input.params.name;
});

// A generic selector declared once and reused; a readonly list is a valid answer.
const fromQuery: ResourceSelector<Request> = (input) =>
  input.type === 'http' ? String(input.request.query.name) : [];
const frozen: readonly string[] = ['fred', 'jim'];
export const reused = [
  RequireAction('GetApple', 'apples', fromQuery),
  RequireAction('GetApple', 'apples', () => frozen),
  RequireAction('GetApple', 'apples', 'name'),
  RequireAction('ListApples', 'apples'),
  RequireAction('Ping'),
];

// What callers wrote before the request was typed still compiles.
const untyped: ResourceSelector = (req: unknown) =>
  String((req as { query?: { names?: string } }).query?.names);
const legacy: ActionRequirement = { action: 'GetApple', resourceClass: 'apples', resource: untyped };
export const backwardCompatible = [
  RequireAction('GetApple', 'apples', untyped),
  RequireAction('GetApple', 'apples', (req) => String((req as { query?: { n?: string } }).query?.n)),
  legacy,
];

// What must not compile.
export const refused = [
  // @ts-expect-error a resource is a string or a list of strings, not a number
  RequireAction('GetApple', 'apples', (req) => req.params.name.length),
  // @ts-expect-error a header may be absent or repeated: string | string[] | undefined is not a resource
  RequireAction('GetApple', 'apples', (req) => req.headers['x-apple']),
  // @ts-expect-error route parameters are strings
  RequireAction('GetApple', 'apples', (req) => req.params.name.toFixed(0)),
  // @ts-expect-error the body is unknown until the selector checks it
  RequireAction('GetApple', 'apples', (req) => req.body.name),
  // @ts-expect-error the user is unknown until the selector checks it
  RequireAction('GetApple', 'apples', (req) => req.user.name),
  // @ts-expect-error the default request has no Express methods; name Express's Request to use them
  RequireAction('GetApple', 'apples', (req) => (req.type === 'http' ? (req.request.get('x') ?? '') : '')),
  // @ts-expect-error the request is only typed once the transport is known to be HTTP
  RequireAction<Request>('GetApple', 'apples', (req) => req.request.get('x-apple') ?? ''),
  // @ts-expect-error no such field on a request
  RequireAction('GetApple', 'apples', (req) => req.name),
  RequireAction<FastifyRequest>('GetApple', 'apples', (i) =>
    // @ts-expect-error FastifyRequest's params are unknown unless the route's Params are given
    i.type === 'http' ? i.request.params.name : '',
  ),
  // @ts-expect-error a selector written for Express is not one for the default shape
  RequireAction<TinyauthRequest>('GetApple', 'apples', fromQuery),
  // @ts-expect-error the request type is an object type
  RequireAction<string>('GetApple', 'apples', (req) => req),
  // @ts-expect-error a list of numbers is not a list of resources
  RequireAction('GetApple', 'apples', () => [1, 2]),
  // @ts-expect-error a resource function takes the request, nothing else
  RequireAction('GetApple', 'apples', (req: TinyauthSelectorInput, extra: string) => req.type + extra),
];
