// What a case's evidence may be, judged by content and by name together: a file is taken only when its extension
// names an accepted type and its bytes are that type. The name decides how the file opens on the reviewer's
// machine and the bytes decide what it really is, so a program renamed `invoice.pdf` must not get through, nor a
// PDF named `.png` that would not open. Pure: no I/O.

export type EvidenceSniff = { ok: true; contentType: string; kind: string } | { ok: false; reason: string };

type Kind = 'pdf' | 'png' | 'jpeg' | 'gif' | 'webp' | 'text' | 'csv' | 'eml' | 'docx' | 'xlsx';

interface KindInfo {
  contentType: string;
  /** As a message names it after "does not look like". */
  label: string;
  /** The extension to suggest when a file of this kind carries another's name. */
  extension: string;
}

const KINDS: Readonly<Record<Kind, KindInfo>> = {
  pdf: { contentType: 'application/pdf', label: 'a PDF', extension: '.pdf' },
  png: { contentType: 'image/png', label: 'a PNG image', extension: '.png' },
  jpeg: { contentType: 'image/jpeg', label: 'a JPEG image', extension: '.jpg' },
  gif: { contentType: 'image/gif', label: 'a GIF image', extension: '.gif' },
  webp: { contentType: 'image/webp', label: 'a WebP image', extension: '.webp' },
  text: { contentType: 'text/plain; charset=utf-8', label: 'a text file', extension: '.txt' },
  csv: { contentType: 'text/csv; charset=utf-8', label: 'a CSV file', extension: '.csv' },
  eml: { contentType: 'message/rfc822', label: 'an email (EML)', extension: '.eml' },
  docx: {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    label: 'a Word document (DOCX)',
    extension: '.docx',
  },
  xlsx: {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    label: 'an Excel workbook (XLSX)',
    extension: '.xlsx',
  },
};

const BY_EXTENSION: Readonly<Record<string, Kind>> = {
  pdf: 'pdf',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  gif: 'gif',
  webp: 'webp',
  txt: 'text',
  csv: 'csv',
  eml: 'eml',
  docx: 'docx',
  xlsx: 'xlsx',
};

export const ACCEPTED_TYPES = 'PDF, PNG, JPEG, GIF, WebP, TXT, CSV, DOCX, XLSX or EML';

/** Longest stored file name, in characters. */
export const FILE_NAME_MAX = 200;

// ---------------------------------------------------------------------------------------------------------------
// File names

/**
 * C0 and C1 controls (a CR or LF would split a header), and the invisible direction marks that can make
 * `invoice\u202Efdp.exe` display as `invoiceexe.pdf`.
 */
function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp <= 0x1f ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0xfeff
  );
}

/**
 * The name a file is stored and offered for download under: the last part of whatever path a browser or script
 * sent (`C:\fakepath\x.pdf`), without control characters, leading dots (hidden files) or trailing dots and
 * spaces (Windows drops them, which would change the extension), at most FILE_NAME_MAX characters with the
 * extension kept. Never empty.
 */
export function safeFileName(name: string): string {
  const base = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const kept = Array.from(base)
    .filter((ch) => !isUnsafeCodePoint(ch.codePointAt(0)!))
    .join('')
    .trim()
    .replace(/^\.+/, '')
    .replace(/[.\s]+$/, '')
    .trim();
  const chars = Array.from(kept);
  if (chars.length === 0) return 'file';
  if (chars.length <= FILE_NAME_MAX) return kept;
  const dot = kept.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(kept.slice(dot)) : [];
  // A long "extension" is part of the name, not a type: truncate it like the rest.
  if (extension.length === 0 || extension.length > 16) return chars.slice(0, FILE_NAME_MAX).join('').trim();
  const stem = chars.slice(0, chars.length - extension.length);
  return (
    stem
      .slice(0, FILE_NAME_MAX - extension.length)
      .join('')
      .trimEnd() + extension.join('')
  );
}

/**
 * `Content-Disposition` for a download: always an attachment (never shown inline by the browser, whatever the
 * type), an ASCII `filename` for old clients and the exact name in `filename*` (RFC 6266 / RFC 8187).
 */
export function contentDisposition(fileName: string): string {
  const name = safeFileName(fileName);
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  // encodeURIComponent leaves ' ( ) * alone, which RFC 8187's attr-char does not allow.
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

function extensionOf(fileName: string): string | null {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Content

const startsWith = (bytes: Buffer, signature: readonly number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const PDF = ascii('%PDF-');
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];

/** PDF readers accept the header anywhere in the first 1024 bytes (some scanners write a preamble first). */
const PDF_HEADER_WINDOW = 1024;

function isPdf(bytes: Buffer): boolean {
  const at = bytes.subarray(0, PDF_HEADER_WINDOW + PDF.length).indexOf(Buffer.from(PDF));
  return at >= 0 && at <= PDF_HEADER_WINDOW;
}

const ZIP_EOCD = 0x06054b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_LOCAL_SIG = 0x04034b50;
const ZIP_MAX_ENTRIES = 10_000;

/**
 * The entry names of a ZIP archive: from its central directory (the end-of-archive record is in the last 64 KB),
 * else by walking the local headers from the start (an archive cut short, or one written as a stream).
 */
export function zipEntryNames(bytes: Buffer): string[] {
  if (!startsWith(bytes, ZIP_LOCAL)) return [];
  return centralDirectoryNames(bytes) ?? localHeaderNames(bytes);
}

function centralDirectoryNames(bytes: Buffer): string[] | null {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let eocd = bytes.length - 22; eocd >= lowest; eocd--) {
    if (bytes.readUInt32LE(eocd) !== ZIP_EOCD) continue;
    const count = bytes.readUInt16LE(eocd + 10);
    const size = bytes.readUInt32LE(eocd + 12);
    const offset = bytes.readUInt32LE(eocd + 16);
    if (offset + size > eocd) continue;
    const names: string[] = [];
    let p = offset;
    for (let i = 0; i < Math.min(count, ZIP_MAX_ENTRIES); i++) {
      if (p + 46 > eocd || bytes.readUInt32LE(p) !== ZIP_CENTRAL) return null;
      const nameLength = bytes.readUInt16LE(p + 28);
      const extraLength = bytes.readUInt16LE(p + 30);
      const commentLength = bytes.readUInt16LE(p + 32);
      if (p + 46 + nameLength > eocd) return null;
      names.push(bytes.toString('utf8', p + 46, p + 46 + nameLength));
      p += 46 + nameLength + extraLength + commentLength;
    }
    return names;
  }
  return null;
}

function localHeaderNames(bytes: Buffer): string[] {
  const names: string[] = [];
  let p = 0;
  while (
    names.length < ZIP_MAX_ENTRIES &&
    p + 30 <= bytes.length &&
    bytes.readUInt32LE(p) === ZIP_LOCAL_SIG
  ) {
    const flags = bytes.readUInt16LE(p + 6);
    const compressedSize = bytes.readUInt32LE(p + 18);
    const nameLength = bytes.readUInt16LE(p + 26);
    const extraLength = bytes.readUInt16LE(p + 28);
    if (p + 30 + nameLength > bytes.length) break;
    names.push(bytes.toString('utf8', p + 30, p + 30 + nameLength));
    // With a data descriptor (flag bit 3) the size is only known after the data: the walk cannot go on.
    if (flags & 0x08) break;
    p += 30 + nameLength + extraLength + compressedSize;
  }
  return names;
}

/** An Office Open XML package (what Word and Excel save) rather than any ZIP: it declares its content types. */
function officeKind(bytes: Buffer): 'docx' | 'xlsx' | 'zip' | null {
  if (!startsWith(bytes, ZIP_LOCAL)) return null;
  const names = zipEntryNames(bytes);
  if (!names.includes('[Content_Types].xml')) return 'zip';
  if (names.some((n) => n.startsWith('word/'))) return 'docx';
  if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
  return 'zip';
}

/** The binary type the bytes are, as far as their signature shows; null for text and anything unknown. */
function binaryKind(bytes: Buffer): Kind | 'zip' | null {
  if (isPdf(bytes)) return 'pdf';
  if (startsWith(bytes, PNG)) return 'png';
  if (startsWith(bytes, JPEG)) return 'jpeg';
  if (startsWith(bytes, GIF87) || startsWith(bytes, GIF89)) return 'gif';
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return 'webp';
  return officeKind(bytes);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * An email starts with its header, `Name: value` lines (RFC 5322 field names are printable ASCII but `:`), or
 * with the `From ` line of a mailbox export.
 */
function startsWithHeaderField(bytes: Buffer): boolean {
  const head = bytes.subarray(startsWith(bytes, UTF8_BOM) ? 3 : 0, 1000).toString('latin1');
  return /^(?:[!-9;-~]+:|From )/.test(head);
}

/** Why text of this kind is not what its name says, or null when it is. */
function textProblem(kind: 'text' | 'csv' | 'eml', bytes: Buffer): string | null {
  if (bytes.includes(0)) return 'it holds NUL bytes, so it is binary, not text';
  if (kind === 'eml') {
    // Mail may carry 8-bit text in any charset, so UTF-8 is not asked of it; its header is.
    return startsWithHeaderField(bytes)
      ? null
      : 'it does not start with a mail header (From:, Subject:, ...)';
  }
  return isUtf8(bytes) ? null : 'it is not UTF-8 text (save it as UTF-8 and upload it again)';
}

/**
 * Whether the file may be kept as case evidence, and as what. The extension must name an accepted type and the
 * content must be of that type: a renamed program, a PDF named `.png`, a plain ZIP named `.docx` and text with
 * NUL bytes are all refused, with a reason the user can act on.
 */
export function sniffEvidence(fileName: string, bytes: Buffer): EvidenceSniff {
  const name = safeFileName(fileName);
  const extension = extensionOf(name);
  const kind = extension === null ? undefined : BY_EXTENSION[extension];
  if (!kind) {
    return {
      ok: false,
      reason: `${name}: this type of file is not accepted; upload ${ACCEPTED_TYPES}`,
    };
  }
  const info = KINDS[kind];
  if (bytes.length === 0) return { ok: false, reason: `${name} is empty` };
  const actual = binaryKind(bytes);
  const mismatch = (why: string) => ({
    ok: false as const,
    reason: `${name} does not look like ${info.label}: ${why}`,
  });
  if (kind === 'text' || kind === 'csv' || kind === 'eml') {
    if (actual !== null) return mismatch(contentIs(actual));
    const problem = textProblem(kind, bytes);
    if (problem) return mismatch(problem);
  } else if (actual !== kind) {
    if (actual === 'zip' && (kind === 'docx' || kind === 'xlsx')) {
      return mismatch('it is a ZIP archive, not a document saved by Word or Excel');
    }
    return mismatch(actual === null || actual === 'zip' ? 'its content is not one' : contentIs(actual));
  }
  return { ok: true, contentType: info.contentType, kind };
}

function contentIs(actual: Kind | 'zip'): string {
  if (actual === 'zip') return 'its content is a ZIP archive';
  const other = KINDS[actual];
  return `its content is ${other.label}; name it with ${other.extension} to upload it`;
}
