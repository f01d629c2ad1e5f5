import nodemailer, { type Transporter } from 'nodemailer';
import { SIGNATURE_HEADER, signWebhook } from './render/webhook.ts';

// The two ways a message leaves: SMTP (nodemailer, pooled, with deadlines so a hung server fails a send instead of
// holding its batch past the lease) and HTTP POST for webhooks and Slack. Errors carry a short, secret-free reason
// for the outbox page: never the SMTP URL or a webhook address, which hold credentials.

export interface Email {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per queued message: a resend after a crash carries the same one, and mail systems drop the repeat. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface MailTransport {
  send(email: Email): Promise<{ providerMessageId: string | null }>;
  close(): void;
}

export function smtpTransport(smtpUrl: string, options: { timeoutMs?: number } = {}): MailTransport {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transporter: Transporter = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 4,
    connectionTimeout: Math.min(timeoutMs, 15_000),
    greetingTimeout: Math.min(timeoutMs, 15_000),
    socketTimeout: timeoutMs,
    // A local or private relay on loopback often has no certificate for its address; STARTTLS is still tried.
    tls: { rejectUnauthorized: !isLoopback(smtpUrl) },
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(email) {
      try {
        const info = await transporter.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          headers: email.headers,
        });
        return { providerMessageId: typeof info.response === 'string' ? info.response.slice(0, 200) : null };
      } catch (err) {
        throw new DeliveryError(smtpReason(err));
      }
    },
    close() {
      transporter.close();
    },
  };
}

function isLoopback(smtpUrl: string): boolean {
  try {
    const host = new URL(smtpUrl).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** Retrying cannot help (the endpoint is gone): fail the message now. */
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

function smtpReason(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  if (e.responseCode) return `SMTP ${e.responseCode}: ${String(e.response ?? '').slice(0, 200)}`;
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(e.message)))
    return 'the SMTP server refused the connection (is it running?)';
  if (e.code === 'ETIMEDOUT' || e.code === 'ESOCKET')
    return `the SMTP server did not answer in time (${e.code})`;
  if (e.code === 'EAUTH') return 'the SMTP server refused the user name or password in SMTP_URL';
  return `${e.code ? `${e.code}: ` : ''}${String(e.message ?? err).slice(0, 200)}`;
}

export interface HttpDelivery {
  url: string;
  body: string;
  /** Set for signed webhooks; Slack checks nothing but its own secret address. */
  signingSecret?: string;
  eventId: string;
  timeoutMs?: number;
  now?: Date;
}

export async function postJson(d: HttpDelivery): Promise<{ providerMessageId: string | null }> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GoodStanding-Webhook/1',
    // Receivers drop a repeat by this id: it is the same on every attempt of one message.
    'good-standing-delivery': d.eventId,
  };
  if (d.signingSecret) {
    headers[SIGNATURE_HEADER.toLowerCase()] = signWebhook(
      d.signingSecret,
      d.body,
      Math.floor((d.now ?? new Date()).getTime() / 1000),
    );
  }
  let response: Response;
  try {
    response = await fetch(d.url, {
      method: 'POST',
      headers,
      body: d.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(d.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError') throw new DeliveryError('the endpoint did not answer within 10 s');
    throw new DeliveryError(
      `the endpoint could not be reached (${e.cause?.code ?? e.name ?? 'network error'})`,
    );
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { providerMessageId: `HTTP ${response.status}` };
  // Slack answers 404/410 for a removed webhook: no retry brings it back.
  const permanent = response.status === 404 || response.status === 410;
  throw new DeliveryError(`the endpoint answered HTTP ${response.status}: ${text.slice(0, 200)}`, permanent);
}
