import { error } from '@sveltejs/kit';
import { read, requireAdmin } from '$lib/server/load';
import type { OutboxMessageFull } from '../../outbox';
import type { RequestHandler } from './$types';

/**
 * A message's HTML part, alone, for the message page's iframe. Not `srcdoc`: a srcdoc document inherits the page's
 * Content-Security-Policy, which refuses inline styles, and an email is nothing but inline styles. This answer has a
 * policy of its own instead: a sandbox (no script, an origin of its own), its inline styles and embedded images
 * allowed, nothing fetched from anywhere, and only this site may frame it.
 */
const POLICY = [
  'sandbox',
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

export const GET: RequestHandler = async ({ fetch, locals, params }) => {
  requireAdmin(locals.session, 'read the outbox');
  const message = await read<OutboxMessageFull>(fetch, `/api/outbox/${encodeURIComponent(params.id)}`);
  if (message.bodyHtml === null) error(404, 'This message has no HTML part.');
  return new Response(message.bodyHtml, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': POLICY,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
  });
};
