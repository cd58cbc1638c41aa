import type { AbstractHttpAdapter } from '@nestjs/core';
import { browserChallenge } from '../outcome/challenge';

/**
 * Writes one response through Nest's HTTP adapter, so the login flow behaves the same on Express and Fastify
 * (the raw response objects differ: `res.append` vs `reply.header`).
 */
export class LoginResponder {
  constructor(
    private readonly adapter: AbstractHttpAdapter,
    private readonly response: unknown,
    /**
     * The service, named as the realm of the `WWW-Authenticate` challenge every 401 of the flow carries (RFC 9110
     * §15.5.2). Always the browser challenge: the flow signs in with a form, never with `Basic` credentials.
     */
    private readonly realm?: string,
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
    this.challengeIf(status);
    this.adapter.setHeader(this.response, 'Content-Type', contentType);
    this.adapter.reply(this.response, body, status);
  }

  /** Sends a JSON body. */
  json(status: number, body: Readonly<Record<string, unknown>>): void {
    this.challengeIf(status);
    this.adapter.setHeader(this.response, 'Content-Type', 'application/json; charset=utf-8');
    this.adapter.reply(this.response, JSON.stringify(body), status);
  }

  private challengeIf(status: number): void {
    if (status === 401 && this.realm !== undefined)
      this.adapter.setHeader(this.response, 'WWW-Authenticate', browserChallenge(this.realm));
  }

  /** Redirects to a same-site path. */
  redirect(status: 302 | 303, location: string): void {
    this.adapter.redirect(this.response, status, location);
  }
}
