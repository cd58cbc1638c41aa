import { Logger } from '@nestjs/common';
import { PolicyError } from '../../core';
import { Undecidable } from './fetch-outcome';

const LOG_INTERVAL_MS = 60_000;

/** Logs why the local strategy handed a request to tinyauth, at most once a minute. */
export class FallbackLog {
  private readonly logger = new Logger('Tinyauth');
  private lastLog = 0;

  report(err: unknown): void {
    const now = Date.now();
    if (this.lastLog + LOG_INTERVAL_MS > now) return;
    this.lastLog = now;
    // Undecidable messages are ours and safe. A PolicyError's text quotes context values (request data), so it is
    // named by its type only, like anything else.
    const reason =
      err instanceof Undecidable
        ? err.message
        : err instanceof PolicyError
          ? `policy error: ${err.pythonType}`
          : err instanceof Error
            ? err.name
            : 'error';
    this.logger.warn(`local decision not possible (${reason}); asking tinyauth instead`);
  }
}
