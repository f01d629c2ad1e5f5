// The email's HTML frame, written for mail clients rather than browsers: tables for layout, every style inline
// (Gmail and Outlook drop or ignore <style> in places), no images, scripts or web fonts, 600 px at most and fluid
// down to 320 px. Every value that reaches the markup goes through `escapeHtml`.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** An http(s) URL as an attribute value; anything else (a `javascript:` URL) becomes "#". */
export function href(url: string): string {
  return /^https?:\/\//i.test(url.trim()) ? escapeHtml(url.trim()) : '#';
}

export const FONT =
  "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans',sans-serif";

/** Text and border colour, and a light background: each passes 4.5:1 for its text on its background. */
export const PALETTE = {
  critical: { fg: '#b42318', bg: '#fef3f2' },
  warning: { fg: '#93370d', bg: '#fffaeb' },
  info: { fg: '#175cd3', bg: '#eff8ff' },
  resolved: { fg: '#067647', bg: '#ecfdf3' },
  neutral: { fg: '#475467', bg: '#f2f4f7' },
} as const;
export type PaletteKey = keyof typeof PALETTE;

export const INK = '#101828';
export const MUTED = '#475467';
export const LINE = '#e4e7ec';
const LINK = '#1d4ed8';

/** Long unbroken words (a hostile account name, a URL) wrap instead of widening the message. */
export const WRAP = 'overflow-wrap:anywhere;word-break:break-word;';

/** A small label in words and a symbol, coloured: the colour is never all it says. */
export function badge(text: string, key: PaletteKey): string {
  const c = PALETTE[key];
  return (
    `<span style="display:inline-block;padding:2px 8px;border:1px solid ${c.fg};border-radius:4px;` +
    `background-color:${c.bg};color:${c.fg};font-size:13px;font-weight:600;line-height:18px;">` +
    `${escapeHtml(text)}</span>`
  );
}

export function link(url: string, text: string, style = ''): string {
  return `<a href="${href(url)}" style="color:${LINK};text-decoration:underline;${style}">${escapeHtml(text)}</a>`;
}

/** A link drawn as a button; inline blocks, so two of them wrap onto two lines on a phone. */
export function button(url: string, text: string, primary = true): string {
  const colours = primary
    ? `background-color:${LINK};color:#ffffff;border:1px solid ${LINK};`
    : `background-color:#ffffff;color:${LINK};border:1px solid ${LINK};`;
  return (
    `<a href="${href(url)}" style="display:inline-block;margin:4px 8px 4px 0;padding:10px 16px;border-radius:6px;` +
    `${colours}font-family:${FONT};font-size:14px;font-weight:600;line-height:20px;text-decoration:none;">` +
    `${escapeHtml(text)}</a>`
  );
}

/** One row of the message's card: a block of content with the card's padding. */
export function section(inner: string, style = ''): string {
  return `<tr><td style="padding:20px 24px;${WRAP}${style}">${inner}</td></tr>`;
}

/** Label and value pairs as a small two-column table that screen readers read as one. */
export function factTable(facts: ReadonlyArray<{ label: string; html: string }>): string {
  if (facts.length === 0) return '';
  const rows = facts
    .map(
      (f) =>
        `<tr><th scope="row" style="width:38%;padding:6px 12px 6px 0;border-top:1px solid ${LINE};text-align:left;` +
        `vertical-align:top;font-weight:400;color:${MUTED};${WRAP}">${escapeHtml(f.label)}</th>` +
        `<td style="padding:6px 0;border-top:1px solid ${LINE};vertical-align:top;color:${INK};${WRAP}">` +
        `${f.html}</td></tr>`,
    )
    .join('');
  return (
    `<table cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%;border-collapse:collapse;` +
    `table-layout:fixed;font-family:${FONT};font-size:14px;line-height:20px;">${rows}</table>`
  );
}

export interface PageInput {
  /** The <title>, usually the subject. */
  title: string;
  /** What the inbox shows beside the subject, hidden in the message itself. */
  preheader: string;
  /** The heading at the top of the card. */
  heading: string;
  /** Below the heading, in smaller type (already HTML). */
  intro?: string;
  /** Rows of the card (from `section`). */
  rows: string[];
  /** The last lines, under the card (already HTML). */
  footer: string;
}

export function page(p: PageInput): string {
  // Filler after the preheader keeps some clients from showing the body's first words after it.
  const filler = '&#8199;&#847;'.repeat(40);
  return `<!doctype html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>${escapeHtml(p.title)}</title>
</head>
<body style="margin:0;padding:0;width:100%;background-color:#f2f4f7;-webkit-text-size-adjust:100%;">
<div style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;font-size:1px;line-height:1px;color:#f2f4f7;">${escapeHtml(p.preheader)}${filler}</div>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%;background-color:#f2f4f7;">
<tr><td align="center" style="padding:16px 8px;">
<!--[if mso]><table role="presentation" cellpadding="0" cellspacing="0" border="0" width="600"><tr><td><![endif]-->
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%;max-width:600px;background-color:#ffffff;border:1px solid ${LINE};border-radius:8px;font-family:${FONT};font-size:15px;line-height:22px;color:${INK};text-align:left;">
<tr><td style="padding:20px 24px 4px;${WRAP}">
<p style="margin:0 0 6px;font-size:13px;font-weight:600;letter-spacing:0.04em;text-transform:uppercase;color:${MUTED};">Good Standing</p>
<h1 style="margin:0;font-size:20px;line-height:28px;font-weight:700;color:${INK};">${escapeHtml(p.heading)}</h1>
${p.intro ? `<p style="margin:6px 0 0;font-size:14px;line-height:20px;color:${MUTED};">${p.intro}</p>` : ''}
</td></tr>
${p.rows.join('\n')}
</table>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%;max-width:600px;">
<tr><td style="padding:16px 24px;font-family:${FONT};font-size:13px;line-height:19px;color:${MUTED};text-align:left;${WRAP}">${p.footer}</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`;
}
