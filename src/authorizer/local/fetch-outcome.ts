/** What one fetch from tinyauth gave. */
export type Fetched<V> =
  | { kind: 'found'; value: V; ttlMs: number }
  /** tinyauth said the key or user does not exist. */
  | { kind: 'missing' };

/** tinyauth could not be asked (connection, timeout, 5xx): a stale entry may stand in. */
export class SourceUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceUnavailable';
  }
}

/**
 * The local strategy cannot decide this exactly as tinyauth would (tinyauth would answer 500, an answer it did not
 * understand, or tinyauth is unreachable with nothing usable cached): the request goes to the remote path.
 */
export class Undecidable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Undecidable';
  }
}
