import { figureName } from '../../alerts/rules.ts';
import { lowerIsBetter } from '../../metrics/standing.ts';
import { ahrBandOf } from '../../reports/ahr-band.ts';
import { SYMBOLS, targetPhrase } from './describe-alert.ts';
import { count, dayUtc, longDate, oneLine, percent, plural, truncate, wrap, words } from './format.ts';
import {
  badge,
  escapeHtml,
  FONT,
  INK,
  LINE,
  link,
  MUTED,
  page,
  PALETTE,
  type PaletteKey,
  section,
  WRAP,
} from './html.ts';
import type { DigestAccountRow, DigestFigure, DigestMessage, Direction, RenderedEmail } from './model.ts';

// The morning check by email, readable at a glance for one seller or an agency with hundreds of marketplaces: what
// needs attention first, the worst in detail with only the figures near or past their target, the next ones a
// line each, the rest counted; then the marketplaces in good standing, each with its figures when there are few,
// else one sentence. Gmail clips a message past 102 KB and hides the rest behind a link, so the size is bounded
// whatever the number of rows: 400 rows stay under 90 KB of HTML and 40 KB of text (render.test.ts).

/** Rows needing attention shown with their figures; the next ones get a line each, up to `LISTED_ROWS` in all. */
const DETAILED_ROWS = 25;
const LISTED_ROWS = 100;
/** Up to this many rows in all, every row is shown with its figures, the good ones too. */
const SMALL_DIGEST = 10;
/** Account names listed after the count of marketplaces in good standing. */
const NAMED_ACCOUNTS = 60;
/** A name in a list of many is cut here, so a pasted paragraph cannot crowd out the others. */
const LIST_NAME_CHARS = 60;

// Inline styles are all most mail clients keep; each repeated one is written once here.
const H2 = 'margin:0 0 8px;font-size:16px;line-height:22px;';
const H3 = 'margin:0;font-size:16px;line-height:22px;font-weight:700;';
const BODY = 'margin:4px 0 0;font-size:14px;line-height:20px;';
const SMALL = `margin:2px 0 0;font-size:13px;line-height:18px;color:${MUTED};`;
const ITEM = `padding:10px 0;border-top:1px solid ${LINE};`;
const LIST = 'margin:0;padding:0 0 0 18px;font-size:14px;line-height:20px;';
const LI = 'margin:0 0 6px;';

const TONES: Record<DigestFigure['tone'], { sign: string; words: string; palette: PaletteKey }> = {
  good: { sign: '✓', words: 'within target', palette: 'resolved' },
  near: { sign: '▲', words: 'close to target', palette: 'warning' },
  breached: { sign: '✕', words: 'past target', palette: 'critical' },
  unknown: { sign: '·', words: 'no verdict', palette: 'neutral' },
};

const ARROWS: Record<Direction, { arrow: string; verb: string }> = {
  up: { arrow: '↑', verb: 'rising' },
  down: { arrow: '↓', verb: 'falling' },
  flat: { arrow: '→', verb: 'steady' },
};

/** "↑ rising, worse": the arrow, and in words which way it moves and whether that is an improvement. */
export function trendWords(f: DigestFigure): string | null {
  if (!f.trend) return null;
  const { arrow, verb } = ARROWS[f.trend];
  // Unbreakable: an arrow left at the end of a wrapped line says nothing.
  const moving = `${arrow}\u00a0${verb}`;
  if (f.trend === 'flat') return moving;
  const lower = f.target ? lowerIsBetter(f.target.condition) : null;
  const good: Direction | null = lower === null ? f.better : lower ? 'down' : 'up';
  if (good !== 'up' && good !== 'down') return moving;
  return `${moving}, ${f.trend === good ? 'better' : 'worse'}`;
}

const SUSPENDED = new Set(['DEACTIVATED', 'SUSPENDED', 'BANNED']);

function bandOf(r: DigestAccountRow): string | null {
  return ahrBandOf(r.ratingStatus, r.score);
}

/** Whether a row is in good standing: a verdict, and nothing on it that asks for a look. */
export function inGoodStanding(r: DigestAccountRow): boolean {
  if (r.stale || r.openAlerts > 0 || r.projectedBreachAt) return false;
  const status = r.status?.toUpperCase() ?? null;
  if (status !== null && status !== 'NORMAL') return false;
  const band = bandOf(r);
  if (band === 'at_risk' || band === 'critical') return false;
  if (r.figures.some((f) => f.tone === 'near' || f.tone === 'breached')) return false;
  // No data at all is not good standing: nothing says so.
  return status === 'NORMAL' || band === 'healthy' || r.figures.some((f) => f.tone === 'good');
}

/** Worst first: suspended, past a target, close to one or alerting, then the rest; stable otherwise. */
function attentionRank(r: DigestAccountRow): number {
  if (r.status && SUSPENDED.has(r.status.toUpperCase())) return 0;
  if (bandOf(r) === 'critical' || r.figures.some((f) => f.tone === 'breached')) return 1;
  if (bandOf(r) === 'at_risk' || r.figures.some((f) => f.tone === 'near') || r.openAlerts > 0) return 2;
  return 3;
}

export function digestSubject(d: DigestMessage): string {
  const all = new Set(d.accounts.map((r) => r.accountId));
  const attention = new Set(d.accounts.filter((r) => !inGoodStanding(r)).map((r) => r.accountId));
  const head = `Morning check ${d.localDate}`;
  if (all.size === 0) return `${head}: no accounts connected yet`;
  if (attention.size === 0) {
    return all.size === 1
      ? `${head}: your account is in good standing`
      : `${head}: all ${count(all.size)} accounts in good standing`;
  }
  return `${head}: ${plural(attention.size, 'account')} ${attention.size === 1 ? 'needs' : 'need'} attention`;
}

function placeOf(r: DigestAccountRow): string {
  const account = oneLine(r.accountName);
  const marketplace = r.marketplaceName ?? (r.marketplaceId || null);
  return marketplace ? `${account}, ${oneLine(marketplace)}` : account;
}

function ratingText(r: DigestAccountRow): string | null {
  const band = bandOf(r);
  if (r.score !== null) return `${count(r.score)}${band ? ` (${words(band)})` : ''}`;
  if (r.ratingStatus) return words(r.ratingStatus);
  return null;
}

/** "Account status normal · rating 180 (at risk) · 2 open alerts · projected breach 3 Dec 2026". */
function rowSummary(r: DigestAccountRow): string[] {
  const rating = ratingText(r);
  return [
    `account status ${r.status ? words(r.status) : 'unknown'}`,
    `rating ${rating ?? 'unknown'}`,
    r.openAlerts > 0 ? plural(r.openAlerts, 'open alert') : 'no open alerts',
    ...(r.projectedBreachAt ? [`projected breach ${dayUtc(r.projectedBreachAt)}`] : []),
  ];
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const flagged = (r: DigestAccountRow) => r.figures.filter((f) => f.tone === 'near' || f.tone === 'breached');

function figureLine(f: DigestFigure): {
  name: string;
  value: string;
  target: string;
  tone: string;
  trend: string | null;
} {
  return {
    name: figureName(f),
    value: percent(f.value),
    target: f.target ? `target ${targetPhrase(f.target)}` : 'no target known',
    tone: `${TONES[f.tone].sign} ${TONES[f.tone].words}`,
    trend: trendWords(f),
  };
}

/** "Order defect rate (FBA) 0.2 % (target under 1 %) · …": the figures with a value, on one line. */
function figuresInBrief(figures: readonly DigestFigure[]): string | null {
  const known = figures.filter((f) => f.value !== null);
  if (known.length === 0) return null;
  return known
    .map(
      (f) => `${figureName(f)} ${percent(f.value)}${f.target ? ` (target ${targetPhrase(f.target)})` : ''}`,
    )
    .join(' · ');
}

/** "status suspended, 2 figures near target, 1 open alert": why a row is listed, for the rows past the detailed ones. */
function reasons(r: DigestAccountRow): string {
  const status = r.status?.toUpperCase() ?? null;
  const band = bandOf(r);
  const breached = r.figures.filter((f) => f.tone === 'breached').length;
  const near = r.figures.filter((f) => f.tone === 'near').length;
  const parts = [
    status !== null && status !== 'NORMAL' ? `status ${words(status)}` : null,
    band === 'at_risk' || band === 'critical' ? `rating ${ratingText(r)}` : null,
    breached > 0 ? `${plural(breached, 'figure')} past target` : null,
    near > 0 ? `${plural(near, 'figure')} near target` : null,
    r.openAlerts > 0 ? plural(r.openAlerts, 'open alert') : null,
    r.projectedBreachAt ? `breach projected ${dayUtc(r.projectedBreachAt)}` : null,
    r.stale ? 'stale data' : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(', ') : 'no data';
}

/** The account names of the rows, each once, up to `NAMED_ACCOUNTS`: "A, B and 12 more". */
function namesInBrief(rows: readonly DigestAccountRow[]): string {
  const names = [...new Set(rows.map((r) => truncate(oneLine(r.accountName), LIST_NAME_CHARS)))];
  const shown = names.slice(0, NAMED_ACCOUNTS);
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${count(rest)} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : (shown[0] ?? '');
}

function goodSentence(n: number): string {
  return `${count(n)} ${n === 1 ? 'account × marketplace' : 'accounts × marketplaces'} in good standing`;
}

function moreLine(n: number): string {
  return `…and ${count(n)} more ${n === 1 ? 'needs' : 'need'} attention: open the overview`;
}

function figureHtml(f: DigestFigure): string {
  const l = figureLine(f);
  const c = PALETTE[TONES[f.tone].palette];
  return (
    `<p style="${BODY}"><span style="color:${c.fg};font-weight:600;">${escapeHtml(l.tone)}</span> ` +
    `${escapeHtml(l.name)} <strong>${escapeHtml(l.value)}</strong>, ${escapeHtml(l.target)}` +
    (l.trend ? ` · ${escapeHtml(l.trend)}` : '') +
    `</p>`
  );
}

/** One row needing attention: where, its summary, and its figures near or past target (all of them when few). */
function attentionHtml(r: DigestAccountRow, small: boolean): string {
  const rest = small
    ? figuresInBrief(r.figures.filter((f) => f.tone !== 'near' && f.tone !== 'breached'))
    : null;
  return (
    `<div style="${ITEM}"><h3 style="${H3}">${link(r.link, placeOf(r), `color:${INK};`)}` +
    (r.stale ? ` ${badge('○ Stale data', 'neutral')}` : '') +
    `</h3><p style="${SMALL}">${escapeHtml(capitalize(rowSummary(r).join(' · ')))}</p>` +
    (r.figures.length === 0 ? `<p style="${SMALL}">No figures in the latest report.</p>` : '') +
    flagged(r).map(figureHtml).join('') +
    (rest ? `<p style="${SMALL}">Other figures: ${escapeHtml(rest)}</p>` : '') +
    `</div>`
  );
}

function attentionSectionHtml(
  d: DigestMessage,
  attention: readonly DigestAccountRow[],
  small: boolean,
): string {
  const detailed = attention.slice(0, DETAILED_ROWS);
  const listed = attention.slice(DETAILED_ROWS, LISTED_ROWS);
  const unlisted = attention.length - detailed.length - listed.length;
  let html =
    `<h2 style="${H2}">Needs attention (${count(attention.length)})</h2>` +
    detailed.map((r) => attentionHtml(r, small)).join('');
  if (listed.length > 0) {
    html +=
      `<p style="${BODY}margin-bottom:8px;">Then, a line each:</p><ul style="${LIST}">` +
      listed
        .map(
          (r) =>
            `<li style="${LI}">${link(r.link, truncate(placeOf(r), LIST_NAME_CHARS + 20))} — ${escapeHtml(reasons(r))}</li>`,
        )
        .join('') +
      `</ul>`;
  }
  if (unlisted > 0) html += `<p style="${BODY}">${link(d.links.overview, moreLine(unlisted))}</p>`;
  return html;
}

function healthyLine(r: DigestAccountRow): string {
  const rating = ratingText(r);
  return [r.status ? words(r.status) : null, rating ? `rating ${rating}` : null].filter(Boolean).join(' · ');
}

function alertCountsHtml(d: DigestMessage): string {
  const cell = (n: number, label: string, key: 'critical' | 'warning' | 'info') => {
    const c = PALETTE[key];
    return (
      `<td style="width:33%;padding:8px 4px;border:1px solid ${LINE};background-color:${n > 0 ? c.bg : '#ffffff'};text-align:center;vertical-align:top;${WRAP}">` +
      `<span style="display:block;font-size:22px;line-height:28px;font-weight:700;color:${n > 0 ? c.fg : INK};">${count(n)}</span>` +
      `<span style="display:block;font-size:13px;line-height:18px;color:${n > 0 ? c.fg : MUTED};">${SYMBOLS[key]} ${escapeHtml(label)}</span></td>`
    );
  };
  const a = d.openAlerts;
  return (
    `<h2 style="${H2}">Open alerts</h2>` +
    `<table cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%;border-collapse:collapse;table-layout:fixed;font-family:${FONT};">` +
    `<tr>${cell(a.critical, 'critical', 'critical')}${cell(a.warning, a.warning === 1 ? 'warning' : 'warnings', 'warning')}${cell(a.info, 'info', 'info')}</tr></table>`
  );
}

function topAlertsHtml(d: DigestMessage): string {
  const items = d.topAlerts
    .map(
      (t) =>
        `<li style="${LI}">${badge(`${SYMBOLS[t.severity]} ${capitalize(t.severity)}`, t.severity)} ` +
        `${link(t.link, oneLine(t.title))}<br><span style="${SMALL}">${escapeHtml(oneLine(t.accountName))}` +
        (t.projectedBreachAt ? ` · projected breach ${escapeHtml(dayUtc(t.projectedBreachAt))}` : '') +
        `</span></li>`,
    )
    .join('');
  return `<h2 style="${H2}">Top alerts</h2><ul style="${LIST}">${items}</ul>`;
}

function healthyHtml(d: DigestMessage, rows: readonly DigestAccountRow[], small: boolean): string {
  const heading = `<h2 style="${H2}">In good standing (${count(rows.length)})</h2>`;
  if (!small) {
    return (
      heading +
      `<p style="${BODY}">${escapeHtml(goodSentence(rows.length))}: ${escapeHtml(namesInBrief(rows))}. ` +
      `${link(d.links.overview, 'Open the overview')}</p>`
    );
  }
  const sign = `<span style="color:${PALETTE.resolved.fg};font-weight:600;">✓</span>`;
  return (
    heading +
    rows
      .map((r) => {
        const figures = figuresInBrief(r.figures);
        return (
          `<div style="${ITEM}">${sign} ${link(r.link, placeOf(r))} — ${escapeHtml(healthyLine(r) || 'in good standing')}` +
          (figures ? `<p style="${SMALL}">${escapeHtml(figures)}</p>` : '') +
          `</div>`
        );
      })
      .join('')
  );
}

function figureText(f: DigestFigure): string {
  const l = figureLine(f);
  const tone = TONES[f.tone];
  return wrap(
    `${tone.sign} ${l.name}: ${l.value} — ${l.target}; ${tone.words}${l.trend ? `; ${l.trend}` : ''}`,
    72,
    '    ',
    '  ',
  );
}

function attentionText(d: DigestMessage, attention: readonly DigestAccountRow[], small: boolean): string[] {
  const text = [`NEEDS ATTENTION (${count(attention.length)})`, ''];
  for (const r of attention.slice(0, DETAILED_ROWS)) {
    const rest = small
      ? figuresInBrief(r.figures.filter((f) => f.tone !== 'near' && f.tone !== 'breached'))
      : null;
    text.push(
      wrap(`${placeOf(r)}${r.stale ? ' [stale data]' : ''}`),
      wrap(`${capitalize(rowSummary(r).join('; '))}.`, 72, '  ', '  '),
      ...(r.figures.length === 0 ? ['  No figures in the latest report.'] : []),
      ...flagged(r).map(figureText),
      ...(rest ? [wrap(`Other figures: ${rest}`, 72, '    ', '  ')] : []),
      `  ${r.link}`,
      '',
    );
  }
  // Past the detailed rows, a line each without its link: the overview's link follows.
  const listed = attention.slice(DETAILED_ROWS, LISTED_ROWS);
  for (const r of listed) {
    text.push(wrap(`- ${truncate(placeOf(r), LIST_NAME_CHARS + 20)} — ${reasons(r)}`, 72, '  '));
  }
  if (listed.length > 0) text.push('');
  const unlisted = attention.length - Math.min(attention.length, LISTED_ROWS);
  if (unlisted > 0) text.push(wrap(`${moreLine(unlisted)}:`), d.links.overview, '');
  return text;
}

function healthyText(rows: readonly DigestAccountRow[], small: boolean): string[] {
  const text = [`IN GOOD STANDING (${count(rows.length)})`, ''];
  if (!small) {
    text.push(wrap(`${goodSentence(rows.length)}: ${namesInBrief(rows)}.`), '');
    return text;
  }
  for (const r of rows) {
    const figures = figuresInBrief(r.figures);
    text.push(
      wrap(`✓ ${placeOf(r)} — ${healthyLine(r) || 'in good standing'}`, 72, '  '),
      ...(figures ? [wrap(figures, 72, '  ', '  ')] : []),
      `  ${r.link}`,
    );
  }
  text.push('');
  return text;
}

export function renderDigestEmail(d: DigestMessage): RenderedEmail {
  const subject = digestSubject(d);
  const attention = d.accounts
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => !inGoodStanding(r))
    .sort((a, b) => attentionRank(a.r) - attentionRank(b.r) || a.i - b.i)
    .map(({ r }) => r);
  const healthy = d.accounts.filter((r) => inGoodStanding(r));
  const small = d.accounts.length <= SMALL_DIGEST;
  const headline = subject.slice(subject.indexOf(': ') + 2);
  const greeting = d.recipientName ? `Good morning, ${oneLine(d.recipientName)}. ` : '';
  const dated = `${longDate(d.localDate)} (${d.timeZone})`;
  const a = d.openAlerts;
  const alertsLine = `Open alerts: ${count(a.critical)} critical, ${plural(a.warning, 'warning')}, ${count(a.info)} info`;
  const ruled = `border-top:1px solid ${LINE};`;

  const rows = [section(alertCountsHtml(d), 'padding-top:16px;')];
  if (d.topAlerts.length > 0) rows.push(section(topAlertsHtml(d), ruled));
  if (attention.length > 0) rows.push(section(attentionSectionHtml(d, attention, small), ruled));
  if (healthy.length > 0) rows.push(section(healthyHtml(d, healthy, small), ruled));
  rows.push(
    section(
      `<p style="margin:0;font-size:13px;line-height:19px;color:${MUTED};">Projected breach dates are UTC days, ` +
        `projected from each figure's trend. ${link(d.links.overview, 'Open the overview')} · ${link(d.links.inbox, 'Open the alert inbox')}</p>`,
      ruled,
    ),
  );
  const html = page({
    title: subject,
    preheader: `${capitalize(headline)}. ${alertsLine}.`,
    heading: `Morning check, ${longDate(d.localDate)}`,
    intro: escapeHtml(`${greeting}${capitalize(headline)}.`),
    rows,
    footer: `The daily morning check from Good Standing. ${link(d.links.settings, 'Change what you receive')}.`,
  });

  const text: string[] = [
    wrap(`Morning check, ${dated}`),
    wrap(`${greeting}${capitalize(headline)}.`),
    '',
    wrap(alertsLine + '.'),
    '',
  ];
  if (d.topAlerts.length > 0) {
    text.push('TOP ALERTS', '');
    for (const t of d.topAlerts) {
      text.push(
        wrap(
          `${SYMBOLS[t.severity]} ${capitalize(t.severity)}: ${oneLine(t.title)} (${oneLine(t.accountName)})`,
          72,
          '  ',
        ),
        ...(t.projectedBreachAt ? [`  Projected breach: ${dayUtc(t.projectedBreachAt)}`] : []),
        `  ${t.link}`,
        '',
      );
    }
  }
  if (attention.length > 0) text.push(...attentionText(d, attention, small));
  if (healthy.length > 0) text.push(...healthyText(healthy, small));
  text.push(
    wrap("Projected breach dates are UTC days, projected from each figure's trend."),
    '',
    'Overview:',
    d.links.overview,
    'Alert inbox:',
    d.links.inbox,
    '',
    '-- ',
    'The daily morning check from Good Standing.',
    'Change what you receive:',
    d.links.settings,
    '',
  );
  return { subject, text: text.join('\n'), html };
}
