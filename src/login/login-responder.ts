import type { AbstractHttpAdapter } from '@nestjs/core';

/**
 * Writes one response through Nest's HTTP adapter, so the login flow behaves the same on Express and Fastify
 * (the raw response objects differ: `res.append` vs `reply.header`).
 */
export class LoginResponder {
  constructor(
    private readonly adapter: AbstractHttpAdapter,
    private readonly response: unknown,
  ) {}

  /** Sets (replaces) response headers. */
  headers(values: Readonly<Record<string, string>>): this {
    for (const [name, value] of Object.entries(values)) this.adapter.setHeader(this.response, name, value);
    return this;
  }

  /** Adds one `Set-Cookie` header per value; both adapters append rather than replace for this header. */
  cookies(setCookies: readonly string[]): this {
    for (const value of setCookies) this.adapter.appendHeader(this.response, 'Set-Cookie', value);
    return this;
  }

  /** Sends text with its content type. */
  text(status: number, body: string, contentType: string): void {
    this.adapter.setHeader(this.response, 'Content-Type', contentType);
    this.adapter.reply(this.response, body, status);
  }

  /** Sends a JSON body. */
  json(status: number, body: Readonly<Record<string, unknown>>): void {
    this.adapter.setHeader(this.response, 'Content-Type', 'application/json; charset=utf-8');
    this.adapter.reply(this.response, JSON.stringify(body), status);
  }

  /** Redirects to a same-site path. */
  redirect(status: 302 | 303, location: string): void {
    this.adapter.redirect(this.response, status, location);
  }
}
