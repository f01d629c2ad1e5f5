import { alertSubject, bySeverity, countsPhrase, describeAlert, groupedSubject } from './describe-alert.ts';
import { clockUtc, oneLine, plural, truncate } from './format.ts';
import type { AlertMessage } from './model.ts';
import type { TestMessageOptions } from './test-email.ts';

// Slack incoming-webhook messages: Block Kit sections in mrkdwn, with `text` as the notification's fallback.
// Links are mrkdwn links rather than buttons: a button on an incoming webhook shows a warning after every click,
// since nothing answers its interaction (slackapi/node-slack-sdk#869).

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}
export type SlackBlock =
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'divider' };

/** Slack's three control characters (docs: "Escaping text"); nothing else is entity-encoded. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|label>`: the URL with its own control characters encoded, the label escaped. */
export function slackLink(url: string, label: string): string {
  const safe = /^https?:\/\//i.test(url.trim()) ? url.trim() : '';
  if (!safe) return escapeSlack(label);
  const encoded = safe.replace(/[<>|\s]/g, (c) => encodeURIComponent(c)).replace(/&/g, '&amp;');
  return `<${encoded}|${escapeSlack(label.replace(/\|/g, '¦'))}>`;
}

/** A section's text is capped at 3,000 characters by Slack. */
const SECTION_MAX = 3000;
/** Slack takes 50 blocks at most; each alert uses three. */
const MAX_ALERTS = 12;

const EMOJI = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
  resolved: ':white_check_mark:',
};

function alertBlocks(m: AlertMessage): SlackBlock[] {
  const v = describeAlert(m);
  const lines = [
    `${EMOJI[v.tone]} *${escapeSlack(v.badge)}* · ${escapeSlack(v.happened)}`,
    `*${slackLink(m.links.alert, oneLine(m.title))}*`,
    escapeSlack(v.place),
  ];
  if (v.figure) {
    lines.push(escapeSlack(v.figure.line));
    if (v.figure.margin) lines.push(escapeSlack(v.figure.margin));
  }
  for (const f of v.facts) {
    if (
      f.label === 'What happened' ||
      f.label === 'Account' ||
      f.label === 'Marketplace' ||
      f.label === 'Report captured'
    )
      continue;
    lines.push(`${escapeSlack(f.label)}: ${escapeSlack(f.text)}`);
  }
  lines.push(v.actions.map((a) => slackLink(a.url, a.label)).join('  ·  '));
  return [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), SECTION_MAX) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: escapeSlack(
            `${oneLine(m.accountName)}${m.sellerId ? ` (${oneLine(m.sellerId)})` : ''} · rule ${m.rule} · report captured ${clockUtc(m.at)}`,
          ),
        },
      ],
    },
  ];
}

/** One message for one alert or several (most severe first). */
export function slackAlertPayload(ms: AlertMessage[]): SlackPayload {
  if (ms.length === 0) throw new Error('slackAlertPayload needs at least one alert');
  const ordered = bySeverity(ms);
  const text = escapeSlack(ordered.length === 1 ? alertSubject(ordered[0]!) : groupedSubject(ordered));
  const blocks: SlackBlock[] = [];
  if (ordered.length > 1) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${escapeSlack(`${plural(ordered.length, 'alert')}: ${countsPhrase(ordered)}`)}*`,
      },
    });
  }
  ordered.slice(0, MAX_ALERTS).forEach((m, i) => {
    if (i > 0 || ordered.length > 1) blocks.push({ type: 'divider' });
    blocks.push(...alertBlocks(m));
  });
  if (ordered.length > MAX_ALERTS) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `…and ${plural(ordered.length - MAX_ALERTS, 'more alert')}: ${slackLink(ordered[0]!.links.inbox, 'open the alert inbox')}`,
      },
    });
  }
  return { text, blocks };
}

export function slackTestPayload(opts: TestMessageOptions): SlackPayload {
  const text = escapeSlack(`Test message from Good Standing, sent by ${oneLine(opts.sentBy)}`);
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            `:white_check_mark: *Slack delivery works.* ${escapeSlack(oneLine(opts.sentBy))} sent this test ` +
            `at ${escapeSlack(clockUtc(opts.at))}; alerts for this channel will arrive here.`,
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Sent from ${slackLink(opts.publicUrl, opts.publicUrl)}` }],
      },
    ],
  };
}
