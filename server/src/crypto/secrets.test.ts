import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAppSecret, SecretBox } from './secrets.ts';

describe('SecretBox', () => {
  it('round-trips and never stores the plaintext', () => {
    const box = new SecretBox('k'.repeat(40));
    const sealed = box.seal('Atzr|refresh-token-value');
    expect(sealed).not.toContain('refresh-token-value');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(box.open(sealed)).toBe('Atzr|refresh-token-value');
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses a different key and a tampered envelope', () => {
    const sealed = new SecretBox('a'.repeat(40)).seal('secret');
    expect(() => new SecretBox('b'.repeat(40)).open(sealed)).toThrow(/APP_SECRET differs/);
    const parts = sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => new SecretBox('a'.repeat(40)).open(parts.join(':'))).toThrow();
    expect(() => new SecretBox('a'.repeat(40)).open('garbage')).toThrow(/unknown format/);
  });
});

describe('resolveAppSecret', () => {
  it('prefers the environment, else generates once into DATA_DIR with 0600 and reuses it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gs-secret-'));
    expect(await resolveAppSecret('e'.repeat(40), dir)).toEqual({
      secret: 'e'.repeat(40),
      origin: 'environment',
    });
    const first = await resolveAppSecret(undefined, dir);
    expect(first.origin).toBe('generated');
    expect((await stat(first.file!)).mode & 0o777).toBe(0o600);
    expect((await readFile(first.file!, 'utf8')).trim()).toBe(first.secret);
    const second = await resolveAppSecret(undefined, dir);
    expect(second).toMatchObject({ origin: 'file', secret: first.secret });
  });

  it('refuses a damaged key file instead of replacing it or hanging', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gs-secret-'));
    await writeFile(path.join(dir, 'app-secret'), 'short\n');
    await expect(resolveAppSecret(undefined, dir)).rejects.toThrow(
      /holds no usable key .* restore it from a backup, or set APP_SECRET/,
    );
    expect((await readFile(path.join(dir, 'app-secret'), 'utf8')).trim()).toBe('short');
  });
});
