import { clockUtc, oneLine, wrap } from './format.ts';
import { escapeHtml, link, MUTED, page, section } from './html.ts';
import type { RenderedEmail } from './model.ts';

// The message the settings page sends to prove that delivery works: it says who asked for it and where it came
// from, so a test nobody asked for stands out.

export interface TestMessageOptions {
  /** Who pressed "Send a test" (a name or an email address). */
  sentBy: string;
  /** The instance's public URL. */
  publicUrl: string;
  /** ISO: when it was asked for. */
  at: string;
}

export function renderTestEmail(opts: TestMessageOptions): RenderedEmail {
  const subject = 'Test message from Good Standing';
  const by = oneLine(opts.sentBy);
  const when = clockUtc(opts.at);
  const body = `${by} sent this test from Good Standing at ${when}. If you can read it, alert emails reach you.`;
  const html = page({
    title: subject,
    preheader: 'Alert emails reach you.',
    heading: 'Email delivery works',
    rows: [
      section(
        `<p style="margin:0 0 12px;">${escapeHtml(body)}</p>` +
          `<p style="margin:0;font-size:14px;line-height:20px;color:${MUTED};">Sent from ${link(opts.publicUrl, opts.publicUrl)}. ` +
          `If you did not expect it, someone with access to that instance sent it; nothing else needs doing.</p>`,
      ),
    ],
    footer: 'A test message from Good Standing.',
  });
  const text = [
    'Email delivery works',
    '',
    wrap(body),
    '',
    'Sent from:',
    opts.publicUrl,
    '',
    wrap('If you did not expect it, someone with access to that instance sent it; nothing else needs doing.'),
    '',
  ].join('\n');
  return { subject, text, html };
}
