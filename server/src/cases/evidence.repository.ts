import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { CaseEvidenceItem } from './model.ts';
import { insertCaseEvent, lockCase } from './cases.repository.ts';

// A case's evidence files. Listing never reads the content: a case can hold many megabytes of scans, and only a
// download needs them. Each change is recorded in the case's history in the same transaction.

type Db = Kysely<DB> | Transaction<DB>;

function itemQuery(db: Db) {
  return db
    .selectFrom('case_evidence')
    .leftJoin('users', 'users.id', 'case_evidence.uploaded_by')
    .select([
      'case_evidence.id',
      'case_evidence.file_name',
      'case_evidence.content_type',
      'case_evidence.byte_size',
      'case_evidence.sha256',
      'case_evidence.description',
      'case_evidence.uploaded_at',
      'users.email as uploader_email',
    ]);
}
type ItemRow = Awaited<ReturnType<ReturnType<typeof itemQuery>['executeTakeFirstOrThrow']>>;

function toItem(row: ItemRow): CaseEvidenceItem {
  return {
    id: row.id,
    fileName: row.file_name,
    contentType: row.content_type,
    byteSize: Number(row.byte_size),
    sha256: row.sha256,
    description: row.description,
    uploadedAt: row.uploaded_at.toISOString(),
    uploadedBy: row.uploader_email,
  };
}

/** The case's evidence, newest first, without the files' content. */
export async function listEvidence(db: Db, caseId: string): Promise<CaseEvidenceItem[]> {
  const rows = await itemQuery(db)
    .where('case_evidence.case_id', '=', caseId)
    .orderBy('case_evidence.uploaded_at', 'desc')
    .orderBy('case_evidence.id', 'desc')
    .execute();
  return rows.map(toItem);
}

export interface EvidenceFile {
  fileName: string;
  contentType: string;
  sha256: string;
  content: Buffer;
}

/** One file with its content, when it belongs to the case. */
export async function readEvidenceFile(
  db: Db,
  caseId: string,
  evidenceId: string,
): Promise<EvidenceFile | undefined> {
  const row = await db
    .selectFrom('case_evidence')
    .select(['file_name', 'content_type', 'sha256', 'content'])
    .where('id', '=', evidenceId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return (
    row && {
      fileName: row.file_name,
      contentType: row.content_type,
      sha256: row.sha256,
      content: row.content,
    }
  );
}

export interface NewEvidence {
  caseId: string;
  fileName: string;
  contentType: string;
  sha256: string;
  content: Buffer;
  description: string | null;
  userId: string;
}

/**
 * Stores the file, records `evidence_added` and marks the case changed, all or nothing. Undefined when the case
 * does not exist (or was deleted meanwhile: it is locked while the file goes in).
 */
export async function addEvidence(
  db: Kysely<DB>,
  evidence: NewEvidence,
): Promise<CaseEvidenceItem | undefined> {
  return db.transaction().execute(async (tx) => {
    if (!(await lockCase(tx, evidence.caseId))) return undefined;
    const { id } = await tx
      .insertInto('case_evidence')
      .values({
        case_id: evidence.caseId,
        file_name: evidence.fileName,
        content_type: evidence.contentType,
        byte_size: evidence.content.length,
        sha256: evidence.sha256,
        content: evidence.content,
        description: evidence.description,
        uploaded_by: evidence.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordChange(tx, evidence.caseId, evidence.userId, 'evidence_added', {
      evidenceId: id,
      fileName: evidence.fileName,
      byteSize: evidence.content.length,
      sha256: evidence.sha256,
    });
    return toItem(await itemQuery(tx).where('case_evidence.id', '=', id).executeTakeFirstOrThrow());
  });
}

/** Deletes the file and records `evidence_deleted`; false when the case holds no such file. */
export async function removeEvidence(
  db: Kysely<DB>,
  caseId: string,
  evidenceId: string,
  userId: string,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await lockCase(tx, caseId))) return false;
    const gone = await tx
      .deleteFrom('case_evidence')
      .where('id', '=', evidenceId)
      .where('case_id', '=', caseId)
      .returning(['id', 'file_name', 'byte_size', 'sha256'])
      .executeTakeFirst();
    if (!gone) return false;
    await recordChange(tx, caseId, userId, 'evidence_deleted', {
      evidenceId: gone.id,
      fileName: gone.file_name,
      byteSize: Number(gone.byte_size),
      sha256: gone.sha256,
    });
    return true;
  });
}

async function recordChange(
  tx: Transaction<DB>,
  caseId: string,
  userId: string,
  type: 'evidence_added' | 'evidence_deleted',
  details: Record<string, unknown>,
): Promise<void> {
  // The database's clock, as uploaded_at's default: the history and the list agree on when it happened.
  const { updated_at: at } = await tx
    .updateTable('reinstatement_cases')
    .set({ updated_at: sql`now()` })
    .where('id', '=', caseId)
    .returning('updated_at')
    .executeTakeFirstOrThrow();
  await insertCaseEvent(tx, { caseId, type, at, userId, details });
}
