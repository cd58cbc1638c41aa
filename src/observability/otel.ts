import type * as OtelApi from '@opentelemetry/api';

/** The `@opentelemetry/api` module, as this package uses it. */
export type OtelApiModule = typeof OtelApi;

let loaded: OtelApiModule | null | undefined;

/**
 * `@opentelemetry/api` when the application has it installed, else undefined. It is an optional peer: the library
 * never needs it, and with no SDK registered every call on it is a no-op. Loaded once, on first use.
 */
export function otelApi(): OtelApiModule | undefined {
  if (loaded === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('@opentelemetry/api') as OtelApiModule;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
