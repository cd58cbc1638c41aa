/** What Express's response (`res.header`, an alias of `res.set`) and Fastify's reply (`reply.header`) share. */
interface HeaderSetter {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

/**
 * Sets `headers` on an Express response, a Fastify reply or a bare Node response, before an exception filter
 * writes the rest: Nest's exception filters send status and body only.
 */
export function setResponseHeaders(response: unknown, headers: Readonly<Record<string, string>>): void {
  if (typeof response !== 'object' || response === null) return;
  const target = response as HeaderSetter;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof target.header === 'function') target.header(name, value);
    else if (typeof target.setHeader === 'function') target.setHeader(name, value);
  }
}
