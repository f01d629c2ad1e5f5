// Presigned-looking document URLs. The URL names an Amazon S3 host so the real client sends it through the
// same transport as everything else; the simulator serves any request with the document path, whatever the
// Host. The signature is an HMAC of (document, date, expiry), so an edited or expired URL is refused.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SpApiRegion } from '../spapi/marketplaces.ts';

const DOCUMENT_URL_TTL_S = 300;

const HOSTS: Readonly<Record<SpApiRegion, { host: string; awsRegion: string }>> = {
  na: { host: 'tortuga-prod-na.s3-external-1.amazonaws.com', awsRegion: 'us-east-1' },
  eu: { host: 'tortuga-prod-eu.s3-eu-west-1.amazonaws.com', awsRegion: 'eu-west-1' },
  fe: { host: 'tortuga-prod-fe.s3-us-west-2.amazonaws.com', awsRegion: 'us-west-2' },
};

/** `/<32 hex>/<document id>`: the path the download route answers. */
export const DOCUMENT_PATH = /^\/[0-9a-f]{32}\/(amzn1\.spdoc\.[A-Za-z0-9.-]+)$/;

type UrlCheck =
  { ok: true; documentId: string } | { ok: false; reason: 'signature' | 'expired'; expiresAt?: Date };

export class DocumentUrlSigner {
  private readonly key = randomBytes(32);

  sign(documentId: string, sellerId: string, region: SpApiRegion, at: Date): string {
    const { host, awsRegion } = HOSTS[region];
    const amzDate = at.toISOString().replace(/[-:]|\.\d{3}/g, '');
    const folder = createHash('sha256').update(`folder|${sellerId}`).digest('hex').slice(0, 32);
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': amzDate,
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Expires': String(DOCUMENT_URL_TTL_S),
      'X-Amz-Credential': `AKIAY2SIMULATOR0DOCS/${amzDate.slice(0, 8)}/${awsRegion}/s3/aws4_request`,
      'X-Amz-Signature': this.signature(documentId, amzDate, String(DOCUMENT_URL_TTL_S)),
    });
    return `https://${host}/${folder}/${documentId}?${query.toString()}`;
  }

  check(documentId: string, query: URLSearchParams, now: Date): UrlCheck {
    const amzDate = query.get('X-Amz-Date') ?? '';
    const expires = query.get('X-Amz-Expires') ?? '';
    const given = Buffer.from(query.get('X-Amz-Signature') ?? '', 'utf8');
    const expected = Buffer.from(this.signature(documentId, amzDate, expires), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'signature' };
    }
    const signedAt = parseAmzDate(amzDate);
    const expiresAt = new Date(signedAt + Number(expires) * 1000);
    if (Number.isNaN(expiresAt.getTime()) || now.getTime() > expiresAt.getTime()) {
      return { ok: false, reason: 'expired', expiresAt };
    }
    return { ok: true, documentId };
  }

  private signature(documentId: string, amzDate: string, expires: string): string {
    return createHmac('sha256', this.key).update(`${documentId}|${amzDate}|${expires}`).digest('hex');
  }
}

function parseAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
