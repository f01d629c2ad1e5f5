import {
  alertSubject,
  bySeverity,
  countsPhrase,
  describeAlert,
  groupedSubject,
  headingOf,
  type AlertView,
} from './describe-alert.ts';
import { oneLine, plural, textFact, wrap } from './format.ts';
import {
  badge,
  button,
  escapeHtml,
  factTable,
  href,
  INK,
  link,
  MUTED,
  page,
  PALETTE,
  section,
  WRAP,
} from './html.ts';
import type { AlertMessage, RenderedEmail } from './model.ts';

// Alert emails: one alert, or a recipient's several alerts in one message (grouped per recipient over a short
// window, docs/style.md "Alerts and delivery"). The plain text says everything the HTML says, URLs written out.

function alertHtml(m: AlertMessage, v: AlertView): string {
  const c = PALETTE[v.tone];
  const figure = v.figure
    ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%;margin:0 0 12px;border-collapse:separate;">` +
      `<tr><td style="padding:12px 14px;border-left:4px solid ${c.fg};background-color:${c.bg};${WRAP}">` +
      `<p style="margin:0;font-size:13px;line-height:18px;color:${MUTED};">${escapeHtml(v.figure.name)}</p>` +
      `<p style="margin:2px 0 0;font-size:22px;line-height:28px;font-weight:700;color:${INK};">${escapeHtml(v.figure.value)}` +
      (v.figure.target
        ? ` <span style="font-size:14px;line-height:20px;font-weight:400;color:${INK};">— ${escapeHtml(v.figure.target)}</span>`
        : '') +
      `</p>` +
      (v.figure.targetNote
        ? `<p style="margin:2px 0 0;font-size:13px;line-height:18px;color:${MUTED};">${escapeHtml(v.figure.targetNote)}</p>`
        : '') +
      (v.figure.margin
        ? `<p style="margin:8px 0 0;font-size:14px;line-height:20px;font-weight:600;color:${INK};">${escapeHtml(v.figure.margin)}</p>`
        : '') +
      `</td></tr></table>`
    : '';
  const facts = factTable(
    v.facts.map((f) => ({ label: f.label, html: f.url ? link(f.url, f.text) : escapeHtml(f.text) })),
  );
  return (
    `<p style="margin:0 0 8px;">${badge(v.badge, v.tone)}</p>` +
    `<h2 style="margin:0 0 4px;font-size:18px;line-height:25px;font-weight:700;color:${INK};">` +
    `<a href="${href(m.links.alert)}" style="color:${INK};text-decoration:none;">${escapeHtml(oneLine(m.title))}</a></h2>` +
    `<p style="margin:0 0 12px;font-size:14px;line-height:20px;color:${MUTED};">${escapeHtml(v.place)}</p>` +
    figure +
    facts +
    `<p style="margin:16px 0 0;">${v.actions.map((a) => button(a.url, a.label, a.primary)).join('')}</p>`
  );
}

function alertText(m: AlertMessage, v: AlertView): string {
  const lines = [
    wrap(`${v.badge.toUpperCase()}: ${oneLine(m.title)}`),
    wrap(v.place),
    '',
    ...(v.figure
      ? [wrap(v.figure.line, 72, '  '), ...(v.figure.margin ? [wrap(v.figure.margin)] : []), '']
      : []),
    ...v.facts.map((f) => textFact(f.label, f.url ? `${f.text} ${f.url}` : f.text)),
    '',
    ...v.actions.flatMap((a) => [`${a.label}:`, a.url]),
  ];
  return lines.join('\n');
}

function footerHtml(settings: string): string {
  return (
    `You receive this because you are signed up for Good Standing alerts. ` +
    `${link(settings, 'Change what you receive')}.`
  );
}

function footerText(settings: string): string {
  return [
    '-- ',
    wrap('You receive this because you are signed up for Good Standing alerts.'),
    'Change what you receive:',
    settings,
  ].join('\n');
}

function preheaderOf(v: AlertView): string {
  return [v.happened, v.figure?.margin ?? v.figure?.line].filter(Boolean).join(' ');
}

export function renderAlertEmail(m: AlertMessage): RenderedEmail {
  const subject = alertSubject(m);
  const v = describeAlert(m);
  const html = page({
    title: subject,
    preheader: preheaderOf(v),
    heading: headingOf(m),
    rows: [section(alertHtml(m, v), 'padding-top:16px;')],
    footer: footerHtml(m.links.settings),
  });
  const text = [alertText(m, v), '', footerText(m.links.settings), ''].join('\n');
  return { subject, text, html };
}

/** Several alerts for one recipient in one message, most severe first. One alert is sent as it would be alone. */
export function renderGroupedEmail(ms: AlertMessage[]): RenderedEmail {
  if (ms.length === 0) throw new Error('renderGroupedEmail needs at least one alert');
  if (ms.length === 1) return renderAlertEmail(ms[0]!);
  const ordered = bySeverity(ms);
  const subject = groupedSubject(ordered);
  const views = ordered.map((m) => describeAlert(m));
  const summary = `${plural(ordered.length, 'alert')}: ${countsPhrase(ordered)}`;
  const index =
    `<ol style="margin:0;padding:0 0 0 20px;font-size:14px;line-height:20px;">` +
    ordered
      .map(
        (m, i) =>
          `<li style="margin:0 0 6px;${WRAP}"><strong>${escapeHtml(views[i]!.badge)}</strong> ` +
          `${escapeHtml(oneLine(m.title))} <span style="color:${MUTED};">(${escapeHtml(views[i]!.place)})</span></li>`,
      )
      .join('') +
    `</ol>`;
  const settings = ordered[0]!.links.settings;
  const inbox = ordered[0]!.links.inbox;
  const html = page({
    title: subject,
    preheader: ordered.map((m) => oneLine(m.title)).join(' · '),
    heading: summary,
    intro: `${link(inbox, 'Open the alert inbox')}`,
    rows: [
      section(index, 'padding-top:12px;'),
      ...ordered.map((m, i) => section(alertHtml(m, views[i]!), `border-top:1px solid #d0d5dd;`)),
    ],
    footer: footerHtml(settings),
  });
  const rule = '='.repeat(72);
  const text = [
    wrap(summary),
    '',
    ...ordered.map((m, i) =>
      wrap(`${i + 1}. ${views[i]!.badge}: ${oneLine(m.title)} (${views[i]!.place})`, 72, '   '),
    ),
    '',
    'Alert inbox:',
    inbox,
    '',
    ...ordered.flatMap((m, i) => [rule, `${i + 1} of ${ordered.length}`, '', alertText(m, views[i]!), '']),
    rule,
    '',
    footerText(settings),
    '',
  ].join('\n');
  return { subject, text, html };
}
