import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

// Secrets at rest (LWA refresh tokens, SMTP passwords, webhook keys) are sealed with AES-256-GCM under a key
// derived from APP_SECRET. The envelope names its version so the scheme can change without a flag day.

const VERSION = 'v1';
const SECRET_FILE = 'app-secret';

export class SecretBox {
  private readonly key: Buffer;

  constructor(appSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', appSecret, 'good-standing', 'secrets-at-rest-v1', 32));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join(
      ':',
    );
  }

  open(envelope: string): string {
    const [version, iv, tag, body] = envelope.split(':');
    if (version !== VERSION || !iv || !tag || body === undefined) {
      throw new Error('sealed secret has an unknown format');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new Error('sealed secret cannot be opened: APP_SECRET differs from the one it was sealed with');
    }
  }
}

interface ResolvedSecret {
  secret: string;
  /** Where it came from, for the start-up log line (never the value). */
  origin: 'environment' | 'file' | 'generated';
  file?: string;
}

/** APP_SECRET from the environment, else the one kept in DATA_DIR, else a new one written there (0600). */
export async function resolveAppSecret(
  appSecret: string | undefined,
  dataDir: string,
): Promise<ResolvedSecret> {
  if (appSecret) return { secret: appSecret, origin: 'environment' };
  const file = path.join(dataDir, SECRET_FILE);
  const stored = await readStoredSecret(file);
  if (stored !== undefined) return { secret: stored, origin: 'file', file };
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx' refuses to overwrite: two processes starting at once cannot each keep a different key.
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const theirs = await readStoredSecret(file);
    if (theirs === undefined) throw new Error(`${file} appeared while starting but holds no key`);
    return { secret: theirs, origin: 'file', file };
  }
  await chmod(file, 0o600);
  return { secret, origin: 'generated', file };
}

/** The key kept in DATA_DIR, undefined when there is no file; a damaged file is an error, never replaced. */
async function readStoredSecret(file: string): Promise<string | undefined> {
  let stored: string;
  try {
    stored = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (stored.length < 32) {
    throw new Error(
      `${file} holds no usable key (shorter than 32 characters): restore it from a backup, or set APP_SECRET`,
    );
  }
  return stored;
}
