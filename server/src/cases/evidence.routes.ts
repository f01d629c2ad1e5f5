import { createHash } from 'node:crypto';
import type { FastifyError } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import { findCase } from './cases.repository.ts';
import { contentDisposition, safeFileName, sniffEvidence } from './evidence.ts';
import { addEvidence, listEvidence, readEvidenceFile, removeEvidence } from './evidence.repository.ts';

// A case's supporting documents (invoices, supplier letters, screenshots): uploaded as the raw bytes of one file
// (application/octet-stream, see requireJson), checked by content and name, kept in the database with their
// SHA-256, and given back only as attachments. Anyone signed in may add or remove them: viewers work cases too.

export interface CaseEvidenceRoutesOptions {
  /** The largest file a case takes (CASE_UPLOAD_MAX_MB). */
  maxBytes: number;
}

export const CaseEvidenceItem = z
  .object({
    id: z.uuid(),
    fileName: z.string(),
    contentType: z.string(),
    byteSize: z.number().int(),
    sha256: z.string().describe('Hex SHA-256 of the content'),
    description: z.string().nullable(),
    uploadedAt: z.string(),
    uploadedBy: z.string().nullable().describe("The uploader's email; null when the user was deleted"),
  })
  .describe('CaseEvidenceItem');

const CaseParams = z.object({ id: z.uuid() });
const EvidenceParams = z.object({ id: z.uuid(), evidenceId: z.uuid() });

const UploadQuery = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'name the file: ?name=invoice.pdf')
    .max(1_000)
    .describe('The file name, with its extension; stored without any path, at most 200 characters'),
  description: z.string().trim().max(2_000).optional().describe('What the file shows'),
});

const FileBytes = z
  .custom<Buffer>((v) => Buffer.isBuffer(v), {
    message: "send the file's bytes as the body with content-type: application/octet-stream",
  })
  .meta({ type: 'string', format: 'binary' });

export const caseEvidenceRoutes: FastifyPluginAsyncZod<CaseEvidenceRoutesOptions> = async (
  app,
  { maxBytes },
) => {
  const db = app.database.db;
  const tooLarge = `the file is larger than the ${megabytes(maxBytes)} MB a case takes (CASE_UPLOAD_MAX_MB)`;

  // Only this plugin's routes read raw bytes; the file arrives whole, as one Buffer, or not at all.
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: maxBytes },
    (_request, body, done) => done(null, body),
  );

  // Fastify's own 413 says "Request body is too large"; the user needs the limit. Everything else goes on to the
  // app's handler (an error thrown here reaches the parent's).
  app.setErrorHandler((err: FastifyError) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new AppError('PAYLOAD_TOO_LARGE', tooLarge);
    throw err;
  });

  async function caseOrThrow(id: string): Promise<void> {
    if (!(await findCase(db, id))) throw new AppError('NOT_FOUND', `case ${id} does not exist`);
  }

  app.post(
    '/cases/:id/evidence',
    {
      bodyLimit: maxBytes,
      config: { access: 'signed-in', upload: true },
      schema: {
        tags: ['cases'],
        summary: 'Add a supporting document to the case: the body is the file itself',
        description:
          'Send the raw bytes with content-type: application/octet-stream and the name in ?name=. Accepted: ' +
          'PDF, PNG, JPEG, GIF, WebP, TXT, CSV, DOCX, XLSX and EML, checked by content and by extension.',
        consumes: ['application/octet-stream'],
        params: CaseParams,
        querystring: UploadQuery,
        body: FileBytes,
        response: {
          201: CaseEvidenceItem,
          400: ErrorBody,
          404: ErrorBody,
          413: ErrorBody,
          415: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const caseId = request.params.id;
      await caseOrThrow(caseId);
      const fileName = safeFileName(request.query.name);
      const content = request.body;
      if (content.length === 0) throw new AppError('BAD_REQUEST', `${fileName} is empty`);
      const sniffed = sniffEvidence(fileName, content);
      if (!sniffed.ok) throw new AppError('UNSUPPORTED_MEDIA_TYPE', sniffed.reason);
      const item = await addEvidence(db, {
        caseId,
        fileName,
        contentType: sniffed.contentType,
        sha256: createHash('sha256').update(content).digest('hex'),
        content,
        description: request.query.description || null,
        userId: request.auth!.user.id,
      });
      if (!item) throw new AppError('NOT_FOUND', `case ${caseId} does not exist`);
      return reply.code(201).send(item);
    },
  );

  app.get(
    '/cases/:id/evidence',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['cases'],
        summary: "The case's supporting documents, newest first (without their content)",
        params: CaseParams,
        response: { 200: z.array(CaseEvidenceItem), 404: ErrorBody },
      },
    },
    async (request) => {
      await caseOrThrow(request.params.id);
      return listEvidence(db, request.params.id);
    },
  );

  app.get(
    '/cases/:id/evidence/:evidenceId',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['cases'],
        summary: 'Download one document, as it was uploaded',
        description: 'Always an attachment; ETag and Digest carry its SHA-256.',
        produces: ['application/octet-stream'],
        params: EvidenceParams,
        response: { 200: FileBytes, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id, evidenceId } = request.params;
      const file = await readEvidenceFile(db, id, evidenceId);
      if (!file) throw new AppError('NOT_FOUND', `case ${id} has no document ${evidenceId}`);
      // An uploaded file is someone else's content: downloaded, never rendered in this origin, never cached.
      return reply
        .header('content-disposition', contentDisposition(file.fileName))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('etag', `"${file.sha256}"`)
        .header('digest', `sha-256=${Buffer.from(file.sha256, 'hex').toString('base64')}`)
        .type(file.contentType)
        .send(file.content);
    },
  );

  app.delete(
    '/cases/:id/evidence/:evidenceId',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['cases'],
        summary: 'Remove a document from the case (the case history keeps its name and SHA-256)',
        params: EvidenceParams,
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id, evidenceId } = request.params;
      if (!(await removeEvidence(db, id, evidenceId, request.auth!.user.id))) {
        throw new AppError('NOT_FOUND', `case ${id} has no document ${evidenceId}`);
      }
      return reply.code(204).send(null);
    },
  );
};

/** 10485760 → "10"; 1572864 → "1.5". */
function megabytes(bytes: number): string {
  return String(Math.round((bytes / 1024 / 1024) * 10) / 10);
}
