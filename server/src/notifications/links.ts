import type { AlertMessage } from './render/model.ts';

/** Where a message's links point: PUBLIC_URL, else the address the server listens on. */
export function baseUrl(publicUrl: string | undefined, port: number): string {
  return (publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, '');
}

export function alertLinks(
  base: string,
  a: { alertId: string; accountId: string; rule: string; marketplaceId: string },
): AlertMessage['links'] {
  const account = `${base}/accounts/${encodeURIComponent(a.accountId)}`;
  const inbox = `${base}/alerts`;
  return {
    alert: `${inbox}?account=${encodeURIComponent(a.accountId)}&rule=${encodeURIComponent(a.rule)}`,
    account: a.marketplaceId ? `${account}?marketplace=${encodeURIComponent(a.marketplaceId)}` : account,
    startCase: `${base}/cases/new?alert=${encodeURIComponent(a.alertId)}`,
    inbox,
    settings: `${base}/settings/notifications`,
  };
}

/** `<id@host>`: the host of the links, so replies and repeats are recognisably this instance's. */
export function messageIdFor(id: string, base: string): string {
  let host = 'localhost';
  try {
    host = new URL(base).hostname || host;
  } catch {
    // The default host stands.
  }
  return `<${id}@${host}>`;
}
