// Identifiers shaped like Amazon's. Seller ids and refresh tokens of added accounts are deterministic (from a
// counter), so a benchmark run can be repeated; access tokens and document ids are random, as they would be.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SpApiRegion } from '../spapi/marketplaces.ts';

const SELLER_ID_SPACE = 36n ** 12n;
// Odd and not a multiple of 3, so multiplying by it permutes the 36^12 space: distinct counters, distinct ids.
const SELLER_ID_MULTIPLIER = 2862933555777941757n;
const SELLER_ID_OFFSET = 1234567890123n;

/** `A` + 12 base-36 characters, unique for each counter value (a bijection, not a hash). */
export function sellerIdFromCounter(counter: number): string {
  const n = (BigInt(counter) * SELLER_ID_MULTIPLIER + SELLER_ID_OFFSET) % SELLER_ID_SPACE;
  return `A${n.toString(36).toUpperCase().padStart(12, '0')}`;
}

/** A long opaque `Atzr|` token derived from a label, like Amazon's refresh tokens. */
export function refreshTokenFor(label: string): string {
  const digest = createHash('sha512').update(`refresh-token|${label}`).digest('base64url');
  return `Atzr|IwEBI${digest}`;
}

export function newAccessToken(): string {
  return `Atza|IwEBI${randomBytes(96).toString('base64url')}`;
}

export function newAuthorizationCode(): string {
  return `ANsim${randomBytes(15).toString('base64url')}`;
}

/** Report ids are numeric strings (e.g. `51234019876`). */
export function reportIdFromCounter(counter: number): string {
  return String(50_000_000_000 + counter * 17 + 9);
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `amzn1.spdoc.1.4.<region>.<uuid>.<token>.<n>`, the shape of real document ids. */
export function newReportDocumentId(region: SpApiRegion): string {
  const bytes = randomBytes(15);
  let token = 'T';
  for (const byte of bytes.subarray(0, 13)) token += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
  const suffix = 300 + (((bytes[13] ?? 0) * 256 + (bytes[14] ?? 0)) % 2300);
  return `amzn1.spdoc.1.4.${region}.${randomUUID()}.${token}.${suffix}`;
}
