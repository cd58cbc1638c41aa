/**
 * Loads an optional peer (`@nestjs/websockets`, `@nestjs/microservices`) only when a handler of that transport
 * is being denied, so apps without it never need it installed. Undefined when it is not installed.
 */
export function optionalExport<T>(packageName: string, exportName: string): T | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(packageName) as Record<string, unknown>;
    return loaded[exportName] as T | undefined;
  } catch {
    return undefined;
  }
}
