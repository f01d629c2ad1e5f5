import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBody } from '../http/errors.ts';
import { caseEvents, listCaseRows } from './cases.repository.ts';
import {
  CaseDetail,
  CaseParams,
  CasesQuery,
  CaseSummary,
  ChecklistBody,
  ChecklistParams,
  DeadlineBody,
  NoteBody,
  NoticeBody,
  OpenCaseBody,
  OpenedCase,
  SectionParams,
  SectionRevision,
  SectionsBody,
  StatusBody,
} from './cases.schemas.ts';
import {
  addNote,
  caseOrThrow,
  changeStatus,
  openCase,
  saveNotice,
  saveSections,
  setDeadline,
  updateChecklistItem,
} from './cases.service.ts';
import { caseDocument, caseDetail, caseSummary } from './cases.mapping.ts';
import { caseAppealText, caseMarkdown, remainingPlaceholders } from './export.ts';
import { listEvidence } from './evidence.repository.ts';

// The cases API. Anyone signed in may open and work a case (viewers work cases, as they work alerts): opening,
// editing, the notice, the deadline, the status, notes and the exports.

const signedIn = { access: 'signed-in' as const };

export const casesRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.database.db;

  async function detail(id: string) {
    const row = await caseOrThrow(db, id);
    const [events, evidence, account] = await Promise.all([
      caseEvents(db, id),
      listEvidence(db, id),
      db.selectFrom('seller_accounts').select('name').where('id', '=', row.account_id).executeTakeFirst(),
    ]);
    return caseDetail(row, account?.name ?? '', events, evidence);
  }

  app.get(
    '/cases',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary: 'Cases: the open ones by default, the nearest deadline first',
        querystring: CasesQuery,
        response: { 200: z.array(CaseSummary) },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listCaseRows(db, { state: q.state, accountId: q.account, alertId: q.alert });
      return rows.map((r) => caseSummary(r, r.account_name));
    },
  );

  app.post(
    '/cases',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary:
          'Open a case for an account (and marketplace), or from an alert; answers the open one (200) when the ' +
          'marketplace has one already',
        body: OpenCaseBody,
        response: { 200: OpenedCase, 201: OpenedCase, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const opened = await openCase(db, { ...request.body, userId: request.auth!.user.id });
      const row = await caseOrThrow(db, opened.caseId);
      const account = await db
        .selectFrom('seller_accounts')
        .select('name')
        .where('id', '=', row.account_id)
        .executeTakeFirst();
      reply.code(opened.created ? 201 : 200);
      return { created: opened.created, case: caseSummary(row, account?.name ?? '') };
    },
  );

  app.get(
    '/cases/:id',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary: 'One case: facts, sections, checklist, notice, evidence, guidance and timeline',
        params: CaseParams,
        response: { 200: CaseDetail, 404: ErrorBody },
      },
    },
    async (request) => detail(request.params.id),
  );

  app.patch(
    '/cases/:id/sections',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary: 'Save edited sections of the plan of action and the appeal (autosave)',
        params: CaseParams,
        body: SectionsBody,
        response: { 200: CaseDetail, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      await saveSections(db, request.params.id, request.auth!.user.id, request.body.sections);
      return detail(request.params.id);
    },
  );

  app.get(
    '/cases/:id/sections/:section/history',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary: "A section's edits, newest first",
        params: SectionParams,
        response: { 200: z.array(SectionRevision), 404: ErrorBody },
      },
    },
    async (request) => {
      await caseOrThrow(db, request.params.id);
      const events = await caseEvents(db, request.params.id);
      return events
        .filter((e) => e.type === 'section_edited' && e.details.section === request.params.section)
        .reverse()
        .map((e) => ({
          at: e.at.toISOString(),
          user: e.user_email,
          before: String(e.details.before ?? ''),
          after: String(e.details.after ?? ''),
        }));
    },
  );

  app.patch(
    '/cases/:id/checklist/:itemId',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary: 'Tick a checklist item, or note what was found',
        params: ChecklistParams,
        body: ChecklistBody,
        response: { 200: CaseDetail, 404: ErrorBody },
      },
    },
    async (request) => {
      const { id, itemId } = request.params;
      await updateChecklistItem(db, id, request.auth!.user.id, itemId, request.body);
      return detail(id);
    },
  );

  app.put(
    '/cases/:id/notice',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary:
          "Keep Amazon's notice, read its ASINs, order ids, policies, dates and deadline, and fill the case from it",
        params: CaseParams,
        body: NoticeBody,
        response: { 200: CaseDetail, 404: ErrorBody },
      },
    },
    async (request) => {
      await saveNotice(db, request.params.id, request.auth!.user.id, request.body.text);
      return detail(request.params.id);
    },
  );

  app.put(
    '/cases/:id/deadline',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary: 'Confirm or correct the response deadline (null clears it)',
        params: CaseParams,
        body: DeadlineBody,
        response: { 200: CaseDetail, 404: ErrorBody },
      },
    },
    async (request) => {
      const at = request.body.at === null ? null : new Date(request.body.at);
      await setDeadline(db, request.params.id, request.auth!.user.id, at);
      return detail(request.params.id);
    },
  );

  app.post(
    '/cases/:id/status',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary: 'Move the case on: draft → ready → submitted → more_info_requested → reinstated | denied',
        params: CaseParams,
        body: StatusBody,
        response: { 200: CaseDetail, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { status, note } = request.body;
      await changeStatus(db, request.params.id, request.auth!.user.id, status, note ?? null);
      return detail(request.params.id);
    },
  );

  app.post(
    '/cases/:id/notes',
    {
      config: signedIn,
      schema: {
        tags: ['cases'],
        summary: 'Add a note to the timeline',
        params: CaseParams,
        body: NoteBody,
        response: { 200: CaseDetail, 404: ErrorBody },
      },
    },
    async (request) => {
      await addNote(db, request.params.id, request.auth!.user.id, request.body.text);
      return detail(request.params.id);
    },
  );

  for (const format of ['md', 'txt'] as const) {
    app.get(
      `/cases/:id/export.${format}`,
      {
        config: signedIn,
        schema: {
          tags: ['cases'],
          summary:
            format === 'md'
              ? 'The whole case as Markdown (a download)'
              : 'The plan of action and the appeal as plain text, ready to paste into the appeal form',
          description: 'X-Placeholders-Left counts the [[…]] still to fill in.',
          params: CaseParams,
          response: { 200: z.string(), 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const row = await caseOrThrow(db, request.params.id);
        const doc = caseDocument(row, await listEvidence(db, row.id));
        const left = remainingPlaceholders(doc);
        // Seller and marketplace ids are Amazon's, but the header is no place to trust them.
        const name =
          `case-${doc.facts.sellerId}-${doc.facts.marketplaceId || 'all'}-${doc.openedAt.slice(0, 10)}`
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, '-');
        reply
          .header('X-Placeholders-Left', String(left.length))
          .header('Cache-Control', 'private, no-store')
          .header('Content-Type', `${format === 'md' ? 'text/markdown' : 'text/plain'}; charset=utf-8`);
        if (format === 'md') reply.header('Content-Disposition', `attachment; filename="${name}.md"`);
        return format === 'md' ? caseMarkdown(doc) : caseAppealText(doc);
      },
    );
  }
};
