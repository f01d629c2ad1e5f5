import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@good-standing/server/app.ts';
import { loadConfig } from '@good-standing/server/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { signInAs, type SignedIn } from '../helpers/auth.ts';

// A case's supporting documents over real Postgres and the whole app: uploaded as raw bytes by a signed-in
// viewer, listed, downloaded byte for byte as an attachment, deleted; with the default 10 MB limit, the type
// checks and the JSON-or-file rule for POSTs, each refusal storing nothing.

let t: TestDatabase;
let app: FastifyInstance;
let viewer: SignedIn;
let caseId: string;

const MB = 1024 * 1024;

/** A small PDF that readers open: one empty page, with a correct cross-reference table. */
function minimalPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function upload(
  name: string,
  payload: Buffer | Readable | string,
  options: {
    headers?: Record<string, string>;
    contentType?: string;
    description?: string;
    caseId?: string;
  } = {},
) {
  const query = new URLSearchParams({ name });
  if (options.description !== undefined) query.set('description', options.description);
  return app.inject({
    method: 'POST',
    url: `/api/cases/${options.caseId ?? caseId}/evidence?${query}`,
    headers: {
      ...(options.headers ?? viewer.headers),
      'content-type': options.contentType ?? 'application/octet-stream',
    },
    payload,
  });
}

async function stored(): Promise<{ evidence: number; events: number }> {
  const [evidence, events] = await Promise.all([
    t.db.selectFrom('case_evidence').select(t.db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    t.db.selectFrom('case_events').select(t.db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { evidence: Number(evidence.n), events: Number(events.n) };
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  // Not demo mode: there, a request without credentials acts as the demo admin, and signed-out could not be tested.
  app = await buildApp(
    loadConfig({
      DATA_DIR: t.dataDir,
      LOG_LEVEL: 'silent',
      APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
      SPAPI_CLIENT_ID: 'amzn1.application-oa2-client.test',
      SPAPI_CLIENT_SECRET: 'test-client-secret',
      // Nothing here calls Amazon; should anything try, it reaches a closed local port.
      SPAPI_ENDPOINT: 'http://127.0.0.1:9',
    }),
    { database: t, web: false, schedule: false },
  );
  viewer = await signInAs(app, 'viewer');
  const account = await t.db
    .insertInto('seller_accounts')
    .values({ seller_id: 'A2X7K9EVIDENCE', name: 'Northwind Outdoor', region: 'na' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const created = await t.db
    .insertInto('reinstatement_cases')
    .values({
      account_id: account.id,
      origin: 'manual',
      title: 'x',
      updated_at: new Date('2026-01-01T00:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  caseId = created.id;
});
afterAll(async () => {
  await app?.close();
  await t?.destroy();
});

describe('uploading, listing and downloading', () => {
  const pdf = minimalPdf();
  let evidenceId: string;

  it('takes a PDF from a viewer and answers the stored item', async () => {
    const res = await upload('C:\\fakepath\\Invoice März.pdf', pdf, { description: '  Supplier invoice  ' });
    expect(res.statusCode, res.body).toBe(201);
    const item = res.json();
    expect(item).toEqual({
      id: expect.any(String),
      fileName: 'Invoice März.pdf',
      contentType: 'application/pdf',
      byteSize: pdf.length,
      sha256: sha256(pdf),
      description: 'Supplier invoice',
      uploadedAt: expect.any(String),
      uploadedBy: viewer.email,
    });
    evidenceId = item.id;
  });

  it('records the upload in the case history and marks the case changed, in the same transaction', async () => {
    const events = await t.db.selectFrom('case_events').selectAll().where('case_id', '=', caseId).execute();
    expect(events).toEqual([
      expect.objectContaining({
        type: 'evidence_added',
        user_id: viewer.userId,
        details: { evidenceId, fileName: 'Invoice März.pdf', byteSize: pdf.length, sha256: sha256(pdf) },
      }),
    ]);
    const row = await t.db
      .selectFrom('reinstatement_cases')
      .select('updated_at')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(row.updated_at.getTime()).toBe(events[0]!.at.getTime());
    const evidence = await t.db
      .selectFrom('case_evidence')
      .select(['uploaded_by', 'uploaded_at'])
      .where('id', '=', evidenceId)
      .executeTakeFirstOrThrow();
    expect(evidence.uploaded_by).toBe(viewer.userId);
    expect(evidence.uploaded_at.getTime()).toBe(events[0]!.at.getTime());
  });

  it('lists it, newest first, without content', async () => {
    const second = await upload('notes.txt', Buffer.from('Called the carrier on 3 March.\n'));
    expect(second.statusCode, second.body).toBe(201);
    const res = await app.inject({
      method: 'GET',
      url: `/api/cases/${caseId}/evidence`,
      headers: viewer.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json() as Array<Record<string, unknown>>;
    expect(list.map((e) => e.fileName)).toEqual(['notes.txt', 'Invoice März.pdf']);
    expect(list[1]).toMatchObject({ id: evidenceId, byteSize: pdf.length, uploadedBy: viewer.email });
    expect(list[0]).toMatchObject({ contentType: 'text/plain; charset=utf-8', description: null });
    expect(Object.keys(list[0]!)).not.toContain('content');
  });

  it('gives the file back byte for byte, as an attachment that is neither sniffed nor cached', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/cases/${caseId}/evidence/${evidenceId}`,
      headers: viewer.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(pdf)).toBe(true);
    expect(sha256(res.rawPayload)).toBe(sha256(pdf));
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="Invoice M_rz.pdf"; filename*=UTF-8''Invoice%20M%C3%A4rz.pdf`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers.etag).toBe(`"${sha256(pdf)}"`);
    expect(res.headers.digest).toBe(`sha-256=${createHash('sha256').update(pdf).digest('base64')}`);
    expect(res.headers['content-security-policy']).toContain('sandbox');
  });

  it('takes a file of exactly the default 10 MB', async () => {
    const big = Buffer.concat([pdf, Buffer.alloc(10 * MB - pdf.length, 0x20)]);
    const res = await upload('scan.pdf', big);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ byteSize: 10 * MB, sha256: sha256(big) });
    const gone = await app.inject({
      method: 'DELETE',
      url: `/api/cases/${caseId}/evidence/${res.json().id}`,
      headers: viewer.headers,
    });
    expect(gone.statusCode).toBe(204);
  });
});

describe('refusals store nothing', () => {
  const tooLarge = {
    error: {
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('the file is larger than the 10 MB a case takes'),
    },
  };

  it('refuses 11 MB with 413 and the limit in MB', async () => {
    const before = await stored();
    const res = await upload('scan.pdf', Buffer.concat([minimalPdf(), Buffer.alloc(11 * MB)]));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual(tooLarge);
    expect(await stored()).toEqual(before);
  });

  it('refuses 11 MB sent without a length (chunked) the same way', async () => {
    const before = await stored();
    const chunks = Array.from({ length: 11 }, () => Buffer.alloc(MB, 0x20));
    const res = await upload('scan.pdf', Readable.from([minimalPdf(), ...chunks]));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual(tooLarge);
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['a type that is not accepted', 'invoice.exe', 'this type of file is not accepted'],
    ['a program renamed .pdf', 'invoice.pdf', 'invoice.pdf does not look like a PDF: its content is not one'],
  ])('refuses %s with 415 and the reason', async (_what, name, reason) => {
    const before = await stored();
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
    const res = await upload(name, exe);
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(res.json().error.message).toContain(reason);
    expect(await stored()).toEqual(before);
  });

  it('refuses an empty file', async () => {
    const res = await upload('invoice.pdf', Buffer.alloc(0));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('invoice.pdf is empty');
  });

  it.each([
    [
      'a multipart form',
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="f"\r\n\r\n%PDF-1.4\r\n--x--',
    ],
    ['text/plain (a form with enctype text/plain)', 'text/plain', '%PDF-1.4 hello'],
    ['a url-encoded form', 'application/x-www-form-urlencoded', 'a=%25PDF-1.4'],
  ])('refuses %s with 415', async (_what, contentType, payload) => {
    const before = await stored();
    const res = await upload('invoice.pdf', payload, { contentType });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('application/octet-stream'),
    });
    expect(await stored()).toEqual(before);
  });

  it('refuses a JSON body: a file is sent as its bytes', async () => {
    const res = await upload('invoice.pdf', '{"file":"%PDF-1.4"}', { contentType: 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('application/octet-stream');
  });

  it('refuses a missing name, and a case that does not exist', async () => {
    const noName = await app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/evidence`,
      headers: { ...viewer.headers, 'content-type': 'application/octet-stream' },
      payload: minimalPdf(),
    });
    expect(noName.statusCode).toBe(400);
    const missing = '00000000-0000-4000-8000-000000000000';
    const res = await upload('invoice.pdf', minimalPdf(), { caseId: missing });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe(`case ${missing} does not exist`);
    const list = await app.inject({
      method: 'GET',
      url: `/api/cases/${missing}/evidence`,
      headers: viewer.headers,
    });
    expect(list.statusCode).toBe(404);
  });
});

describe('signed out', () => {
  it('cannot upload, list, download or delete', async () => {
    const [item] = (
      await app.inject({ method: 'GET', url: `/api/cases/${caseId}/evidence`, headers: viewer.headers })
    ).json() as Array<{ id: string }>;
    const before = await stored();
    const calls = [
      app.inject({
        method: 'POST',
        url: `/api/cases/${caseId}/evidence?name=a.pdf`,
        headers: { 'content-type': 'application/octet-stream' },
        payload: minimalPdf(),
      }),
      app.inject({ method: 'GET', url: `/api/cases/${caseId}/evidence` }),
      app.inject({ method: 'GET', url: `/api/cases/${caseId}/evidence/${item!.id}` }),
      app.inject({ method: 'DELETE', url: `/api/cases/${caseId}/evidence/${item!.id}` }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      expect(res.body).not.toContain('%PDF');
    }
    expect(await stored()).toEqual(before);
  });

  it('cannot upload with a session but no CSRF token', async () => {
    const res = await upload('a.pdf', minimalPdf(), { headers: { cookie: viewer.cookie } });
    expect(res.statusCode).toBe(403);
  });
});

describe('deleting', () => {
  it('removes the file and records it in the case history', async () => {
    const pdf = minimalPdf();
    const created = (await upload('letter.pdf', pdf)).json() as { id: string };
    const url = `/api/cases/${caseId}/evidence/${created.id}`;
    const res = await app.inject({ method: 'DELETE', url, headers: viewer.headers });
    expect(res.statusCode, res.body).toBe(204);
    expect((await app.inject({ method: 'GET', url, headers: viewer.headers })).statusCode).toBe(404);
    const list = await app.inject({
      method: 'GET',
      url: `/api/cases/${caseId}/evidence`,
      headers: viewer.headers,
    });
    expect((list.json() as Array<{ id: string }>).map((e) => e.id)).not.toContain(created.id);
    const event = await t.db
      .selectFrom('case_events')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('type', '=', 'evidence_deleted')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      user_id: viewer.userId,
      details: { evidenceId: created.id, fileName: 'letter.pdf', byteSize: pdf.length, sha256: sha256(pdf) },
    });
    const again = await app.inject({ method: 'DELETE', url, headers: viewer.headers });
    expect(again.statusCode).toBe(404);
  });

  it('does not reach another case’s file through this case', async () => {
    const [item] = (
      await app.inject({ method: 'GET', url: `/api/cases/${caseId}/evidence`, headers: viewer.headers })
    ).json() as Array<{ id: string }>;
    const other = await t.db
      .insertInto('reinstatement_cases')
      .values({
        account_id: (await t.db.selectFrom('seller_accounts').select('id').executeTakeFirstOrThrow()).id,
        marketplace_id: 'ATVPDKIKX0DER',
        origin: 'manual',
        title: 'y',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const url = `/api/cases/${other.id}/evidence/${item!.id}`;
    expect((await app.inject({ method: 'GET', url, headers: viewer.headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url, headers: viewer.headers })).statusCode).toBe(404);
  });
});

describe('the API reference', () => {
  it('describes the evidence routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    const paths = Object.keys(res.json().paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/cases/{id}/evidence', '/api/cases/{id}/evidence/{evidenceId}']),
    );
  });
});
