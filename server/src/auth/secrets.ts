import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// Passwords, session ids, invite links and API tokens. Passwords are hashed with scrypt (node's own, no native
// dependency); the random secrets are stored as SHA-256 hashes only, so a copy of the database hands out nothing.

/**
 * scrypt at N=2^17, r=8, p=1: OWASP's recommended minimum (128 MiB and about 0.2 s per hash on one core). The
 * parameters are written into each hash, so raising them later leaves old hashes readable.
 */
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, keyLength: 32 } as const;
const PREFIX = 'scrypt';

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
  keyLength: number,
) {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, both base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT, SCRYPT.keyLength);
  return [PREFIX, SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [prefix, n, r, p, salt, hash] = stored.split('$');
  if (prefix !== PREFIX || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(
    password,
    Buffer.from(salt, 'base64url'),
    { N: Number(n), r: Number(r), p: Number(p) },
    expected.length,
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Checked against when the email is unknown or has no password yet, so that a wrong email takes as long as a
 * wrong password and the answer says nothing about which accounts exist.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** A new random secret for a cookie, a link or a token: 32 bytes, base64url. */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** What is stored of a random secret. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export const MIN_PASSWORD_LENGTH = 12;
