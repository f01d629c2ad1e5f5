import { figureName } from '../alerts/rules.ts';
import { targetPhrase } from '../notifications/render/describe-alert.ts';
import {
  clockUtc,
  count,
  dayUtc,
  oneLine,
  percent,
  windowRange,
  words,
} from '../notifications/render/format.ts';
import { CAUSE_GUIDANCE } from './causes.ts';
import {
  PLACEHOLDER,
  SECTION_KEYS,
  SECTION_TITLES,
  type CaseDocument,
  type CaseFigure,
  type CaseOrigin,
  type CaseStatus,
  type ChecklistItem,
  type SectionKey,
} from './model.ts';

// A case leaves the app two ways: the whole case as Markdown (to keep, print or hand to an adviser) and the plan
// of action with the appeal as plain text, for Seller Central's appeal form, which shows Markdown as typed. The
// seller's sections go out as written: in Markdown they are the seller's own (a list they typed stays a list),
// in the plain text only Markdown emphasis and headings are taken off. Text from elsewhere (Amazon's notice, file
// names, account names) is escaped in Markdown, so a pasted "<" or "|" cannot become markup.

const PLAN_KEYS = SECTION_KEYS.filter((k) => !k.startsWith('appeal_'));
const APPEAL_KEYS = SECTION_KEYS.filter((k) => k.startsWith('appeal_'));

const STATUS_LABELS: Readonly<Record<CaseStatus, string>> = {
  draft: 'Draft',
  ready: 'Ready',
  submitted: 'Submitted',
  more_info_requested: 'More information requested',
  reinstated: 'Reinstated',
  denied: 'Denied',
};

const ORIGIN_LABELS: Readonly<Record<CaseOrigin, string>> = {
  suspension: 'on suspension',
  alert: 'from an alert',
  manual: 'by hand',
};

// ---------------------------------------------------------------------------------------------------------------
// Placeholders

/** Each `[[…]]` left in the sections, with the section it is in, in section order. */
function placeholders(doc: CaseDocument): Array<{ section: SectionKey; placeholder: string }> {
  // A fresh copy: the shared global regex carries `lastIndex`, which matchAll would start from.
  const pattern = new RegExp(PLACEHOLDER.source, PLACEHOLDER.flags);
  return SECTION_KEYS.flatMap((section) =>
    Array.from(doc.sections[section].matchAll(pattern), (m) => ({ section, placeholder: m[0] })),
  );
}

/** The placeholders (`[[…]]`, as written) still in the sections, in section order, once per place. */
export function remainingPlaceholders(doc: CaseDocument): string[] {
  return placeholders(doc).map((p) => p.placeholder);
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/** The characters that make inline markup (or HTML) anywhere in a line. */
const MARKUP = /[\\`*_[\]<>|~]/g;

/** One line of outside text, inert in Markdown. */
function esc(text: string): string {
  return oneLine(text).replace(MARKUP, '\\$&');
}

/** Outside text of several lines (the notice) as a block quote that keeps its lines and makes no markup. */
function quote(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split('\n')
    .map((line) => {
      const inert = line
        .trim()
        .replace(MARKUP, '\\$&')
        .replace(/^[#+=-]/, '\\$&')
        .replace(/^(\d+)([.)])/, '$1\\$2');
      // Two trailing spaces: a hard line break, as the email had it.
      return inert === '' ? '>' : `> ${inert}  `;
    })
    .join('\n');
}

const sentenceCase = (code: string) => {
  const text = words(code.replace(/([a-z0-9])([A-Z])/g, '$1 $2')).replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

const fact = (label: string, value: string) => `- **${label}:** ${value}`;

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function windowText(window: { from: string | null; to: string | null }, days: number | null = null): string {
  const range = windowRange(window.from, window.to);
  if (range && days) return `${range} (${days} days)`;
  return range ?? (days ? `${days} days` : '–');
}

function figureCounts(f: CaseFigure): string {
  const ratio =
    f.numerator !== null || f.denominator !== null ? `${count(f.numerator)} of ${count(f.denominator)}` : '';
  const parts = Object.entries(f.parts)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${esc(sentenceCase(k).toLowerCase())} ${count(v)}`)
    .join(', ');
  return [ratio, parts && `(${parts})`].filter(Boolean).join(' ') || '–';
}

function figureRow(f: CaseFigure): string[] {
  const verdict = f.breached
    ? '**Breached**'
    : f.target
      ? 'Within target'
      : f.status
        ? esc(words(f.status))
        : '–';
  return [
    esc(figureName(f)),
    f.breached ? `**${percent(f.rate)}**` : percent(f.rate),
    f.target ? targetPhrase(f.target) : '–',
    figureCounts(f),
    windowText(f.window, f.windowDays),
    percent(f.earlier.days30),
    percent(f.earlier.days60),
    verdict,
  ];
}

function factsMarkdown(doc: CaseDocument): string[] {
  const f = doc.facts;
  const out = ['## Facts', ''];
  out.push(
    f.capturedAt
      ? `From Amazon's Account Health report captured ${clockUtc(f.capturedAt)}, as it stood when the case opened.`
      : 'No Account Health report was stored for this account when the case opened.',
    '',
  );
  const status = f.accountStatus ? esc(sentenceCase(f.accountStatus)) : 'Not reported';
  out.push(fact('Account status', f.statusSince ? `${status} since ${dayUtc(f.statusSince)}` : status));
  // The band is said only when Amazon's label does not already say it (`GREAT` is the healthy band).
  const band = f.ahr.band && words(f.ahr.band) !== words(f.ahr.status ?? '') ? esc(words(f.ahr.band)) : null;
  const ahr = [
    f.ahr.status ? esc(sentenceCase(f.ahr.status)) : null,
    f.ahr.score !== null ? `score ${count(f.ahr.score)}` : null,
  ].filter(Boolean);
  if (band) ahr.push(ahr.length > 0 ? `(${band})` : band);
  out.push(
    fact('Account Health Rating', ahr.length > 0 ? ahr.join(', ').replace(', (', ' (') : 'Not reported'),
  );
  if (f.causes.length > 0) {
    out.push(fact('Causes', f.causes.map((c) => CAUSE_GUIDANCE[c]?.title ?? sentenceCase(c)).join(', ')));
  }
  if (f.alert) {
    out.push(fact('Started from the alert', `${esc(f.alert.title)} (opened ${clockUtc(f.alert.openedAt)})`));
  }
  out.push('');

  out.push('### Figures', '');
  if (f.figures.length === 0) out.push('The report held no rate figures.', '');
  else {
    out.push(
      table(
        ['Figure', 'Rate', 'Target', 'Counts', 'Window', '30 days earlier', '60 days earlier', 'Verdict'],
        f.figures.map(figureRow),
      ),
      '',
    );
  }

  if (f.policies.length > 0) {
    out.push('### Policy compliance', '');
    out.push(
      table(
        ['Policy', 'Violations', 'Status', 'Window'],
        f.policies.map((p) => [
          esc(sentenceCase(p.category)),
          count(p.count),
          p.status ? esc(words(p.status)) : '–',
          windowText(p.window),
        ]),
      ),
      '',
    );
  }

  if (f.warningStates.length > 0) {
    out.push('### Warnings from Amazon', '');
    for (const w of f.warningStates) {
      out.push(`- ${esc(sentenceCase(w.type))}: ${w.status ? esc(words(w.status)) : 'no status'}`);
    }
    out.push('');
  }
  return out;
}

function noticeMarkdown(doc: CaseDocument): string[] {
  const out = ['## Notice', ''];
  if (doc.notice === null || doc.notice.trim() === '') {
    return [...out, 'No notice from Amazon was pasted into this case.', ''];
  }
  out.push(quote(doc.notice), '');
  const x = doc.noticeExtract;
  if (x) {
    const list = (values: string[]) => (values.length > 0 ? values.map(esc).join(', ') : 'none found');
    out.push(fact('Notice dated', clockUtc(x.receivedAt)));
    out.push(fact('ASINs', list(x.asins)));
    if (x.orderIds.length > 0) out.push(fact('Order IDs', list(x.orderIds)));
    out.push(fact('Policies cited', list(x.policies)));
    out.push(
      fact(
        'Deadline read from the notice',
        x.deadline ? `${clockUtc(x.deadline.at)} (from "${esc(x.deadline.text)}")` : 'none found',
      ),
    );
    out.push('');
  }
  return out;
}

function checklistMarkdown(items: ChecklistItem[]): string[] {
  return items.flatMap((item) => {
    const done = item.done
      ? `- [x] ${esc(item.label)}${item.doneAt ? ` (done ${dayUtc(item.doneAt)})` : ''}`
      : `- [ ] ${esc(item.label)}`;
    const note = item.note.trim();
    if (note === '') return [done];
    return [done, ...note.split(/\r?\n/).map((line, i) => `  ${i === 0 ? 'Note: ' : ''}${esc(line)}`)];
  });
}

/** The seller's text as typed: a line break inside a paragraph becomes a hard break (two trailing spaces), so a
 * rendered export shows the lines the seller wrote instead of running them together. */
function sectionMarkdown(doc: CaseDocument, key: SectionKey): string[] {
  const lines = doc.sections[key].replace(/\r\n?/g, '\n').trim().split('\n');
  const text = lines
    .map((line, i) => {
      const next = lines[i + 1];
      return line.trim() !== '' && next !== undefined && next.trim() !== '' ? `${line.trimEnd()}  ` : line;
    })
    .join('\n');
  return [`### ${SECTION_TITLES[key]}`, '', text === '' ? '_Not written yet._' : text, ''];
}

function bytes(n: number): string {
  if (n < 1024) return `${count(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function evidenceMarkdown(doc: CaseDocument): string[] {
  const out = ['## Evidence', ''];
  if (doc.evidence.length === 0) return [...out, 'No files attached.', ''];
  out.push(
    table(
      ['File', 'Size', 'SHA-256', 'Uploaded', 'Description'],
      doc.evidence.map((e) => [
        esc(e.fileName),
        bytes(e.byteSize),
        `\`${e.sha256.slice(0, 12)}\``,
        `${clockUtc(e.uploadedAt)}${e.uploadedBy ? ` by ${esc(e.uploadedBy)}` : ''}`,
        e.description ? esc(e.description) : '–',
      ]),
    ),
    '',
  );
  return out;
}

/** The whole case as Markdown: a warning first while placeholders remain, then the facts, notice and texts. */
export function caseMarkdown(doc: CaseDocument): string {
  const f = doc.facts;
  const out: string[] = [`# ${esc(doc.title)}`, ''];

  const left = placeholders(doc);
  if (left.length > 0) {
    out.push(
      `> **Warning:** ${left.length === 1 ? '1 placeholder is' : `${count(left.length)} placeholders are`} ` +
        'still to fill in. Replace each one before you submit the appeal.',
      '>',
      ...left.map((p) => `> - ${SECTION_TITLES[p.section]}: \`${p.placeholder.replace(/`/g, "'")}\``),
      '',
    );
  }

  const marketplace = f.marketplaceName
    ? `${esc(f.marketplaceName)} (${esc(f.marketplaceId)})`
    : 'All marketplaces (account level)';
  out.push(
    fact('Account', esc(f.accountName)),
    fact('Seller ID', esc(f.sellerId)),
    fact('Marketplace', marketplace),
    fact('Case status', STATUS_LABELS[doc.status] ?? esc(doc.status)),
    fact('Opened', `${clockUtc(doc.openedAt)}, ${ORIGIN_LABELS[doc.origin] ?? esc(doc.origin)}`),
    fact('Response deadline', doc.deadlineAt ? clockUtc(doc.deadlineAt) : 'Not known'),
  );
  if (doc.closedAt) out.push(fact('Closed', clockUtc(doc.closedAt)));
  if (doc.reinstatementConfirmedAt)
    out.push(fact('Reinstatement confirmed', clockUtc(doc.reinstatementConfirmedAt)));
  out.push('');

  out.push(...factsMarkdown(doc), ...noticeMarkdown(doc));

  const damage = doc.checklist.filter((i) => i.group === 'damage');
  out.push('## Damage assessment', '');
  out.push(...(damage.length > 0 ? checklistMarkdown(damage) : ['Nothing recorded.']), '');

  out.push('## Plan of action', '', ...PLAN_KEYS.flatMap((k) => sectionMarkdown(doc, k)));
  out.push('## Appeal', '', ...APPEAL_KEYS.flatMap((k) => sectionMarkdown(doc, k)));
  out.push(...evidenceMarkdown(doc));

  const steps = doc.checklist.filter((i) => i.group === 'steps');
  out.push('## Steps to reinstatement', '');
  if (steps.length === 0) out.push('No steps listed.', '');
  else {
    const done = steps.filter((s) => s.done).length;
    out.push(`${count(done)} of ${count(steps.length)} done.`, '', ...checklistMarkdown(steps), '');
  }

  const forward = doc.checklist.filter((i) => i.group === 'moving_forward');
  if (forward.length > 0) out.push('## Moving forward', '', ...checklistMarkdown(forward), '');

  return `${out.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Plain text for the appeal form

/** The seller's text without Markdown emphasis, headings or link syntax; their line breaks stay as they are. */
function plain(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) =>
      line
        .replace(/^(\s*)#{1,6}\s+/, '$1')
        .replace(/^(\s*)[*+]\s+/, '$1- ')
        .replace(
          /\*\*(.+?)\*\*|__(.+?)__/g,
          (_m, a: string | undefined, b: string | undefined) => a ?? b ?? '',
        )
        .replace(/\[([^\]\n]+)\]\((\S+?)\)/g, '$1 ($2)')
        .replace(/`([^`\n]+)`/g, '$1')
        .trimEnd(),
    )
    .join('\n')
    .trim();
}

/**
 * The plan of action (its four parts) then the appeal, as plain text to paste into Seller Central: each part under
 * its title in capitals, an empty part left out. Placeholders stay as they are; the caller warns about them.
 */
export function caseAppealText(doc: CaseDocument): string {
  const parts = [...PLAN_KEYS, ...APPEAL_KEYS]
    .map((key) => ({ key, text: plain(doc.sections[key]) }))
    .filter((p) => p.text !== '')
    .map((p) => `${SECTION_TITLES[p.key].toUpperCase()}\n${p.text}`);
  return `${parts.join('\n\n')}\n`;
}
