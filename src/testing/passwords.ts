/**
 * Password storage as tinyauth does it: salted PBKDF2-HMAC-SHA256, 100 000 rounds, 16-byte salt.
 */
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

const ROUNDS = 100_000;
const KEY_LENGTH = 32;

/** A stored password hash. */
export interface PasswordHash {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2(Buffer.from(password, 'utf8'), salt, ROUNDS, KEY_LENGTH, 'sha256', (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Hashes a password with a fresh random salt (off the event loop). */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return { salt, hash: await derive(password, salt) };
}

/** Checks a password against a stored hash, comparing in constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const candidate = await derive(password, stored.salt);
  return timingSafeEqual(candidate, stored.hash);
}
