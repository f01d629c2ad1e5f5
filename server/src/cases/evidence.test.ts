import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { contentDisposition, FILE_NAME_MAX, safeFileName, sniffEvidence, zipEntryNames } from './evidence.ts';

/** A ZIP archive as Word or Excel writes one: local headers, then the central directory and its end record. */
function zip(names: string[], options: { centralDirectory?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const data = deflateRawSync(Buffer.from(`<x>${name}</x>`));
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  if (options.centralDirectory === false) return Buffer.concat(locals);
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const DOCX = zip(['[Content_Types].xml', '_rels/.rels', 'word/document.xml', 'word/styles.xml']);
const XLSX = zip(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
const PLAIN_ZIP = zip(['invoice.pdf', 'word/readme.txt']);

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('\0\0\0\rIHDR'),
  Buffer.alloc(20),
]);
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0'),
  Buffer.alloc(20),
]);
const GIF = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), Buffer.alloc(10)]);
const WEBP = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([26, 0, 0, 0]),
  Buffer.from('WEBPVP8 '),
  Buffer.alloc(18),
]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.from([0x90, 0, 3, 0, 0, 0]), Buffer.alloc(60)]);
const TEXT = Buffer.from('Supplier letter — Northwind Outdoor, 5 March 2026.\nAll units are genuine.\n');
const CSV = Buffer.from('order_id,shipped_at,tracking\n111-2223334-5556667,2026-03-01,1Z999AA10123456784\n');
const EML = Buffer.from(
  'From: supplier@example.com\r\nTo: seller@example.com\r\nSubject: Invoice 42\r\n\r\nPlease find attached.\r\n',
);

describe('sniffEvidence', () => {
  it.each([
    ['invoice.pdf', PDF, 'application/pdf', 'pdf'],
    ['Screenshot.PNG', PNG, 'image/png', 'png'],
    ['photo.jpg', JPEG, 'image/jpeg', 'jpeg'],
    ['photo.jpeg', JPEG, 'image/jpeg', 'jpeg'],
    ['label.gif', GIF, 'image/gif', 'gif'],
    ['label.webp', WEBP, 'image/webp', 'webp'],
    ['letter.txt', TEXT, 'text/plain; charset=utf-8', 'text'],
    ['orders.csv', CSV, 'text/csv; charset=utf-8', 'csv'],
    ['letter.docx', DOCX, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
    ['orders.xlsx', XLSX, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
    ['mail.eml', EML, 'message/rfc822', 'eml'],
  ])('accepts %s by its content', (name, bytes, contentType, kind) => {
    expect(sniffEvidence(name, bytes)).toEqual({ ok: true, contentType, kind });
  });

  it('accepts a PDF whose header follows a short preamble, and text with a BOM', () => {
    expect(sniffEvidence('scan.pdf', Buffer.concat([Buffer.from('\r\n  '), PDF])).ok).toBe(true);
    expect(sniffEvidence('a.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), CSV])).ok).toBe(true);
  });

  it('reads an Office file whose central directory is missing from its local headers', () => {
    const cut = zip(['[Content_Types].xml', 'word/document.xml'], { centralDirectory: false });
    expect(zipEntryNames(cut)).toEqual(['[Content_Types].xml', 'word/document.xml']);
    expect(sniffEvidence('letter.docx', cut).ok).toBe(true);
  });

  it('refuses a type that is not accepted, naming the accepted ones', () => {
    expect(sniffEvidence('invoice.exe', EXE)).toEqual({
      ok: false,
      reason:
        'invoice.exe: this type of file is not accepted; upload PDF, PNG, JPEG, GIF, WebP, TXT, CSV, DOCX, XLSX or EML',
    });
    for (const name of ['invoice', 'page.html', 'logo.svg', 'archive.zip', 'macro.docm', 'pdf']) {
      expect(sniffEvidence(name, PDF)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('not accepted'),
      });
    }
  });

  it('refuses a program renamed .pdf', () => {
    expect(sniffEvidence('scan.pdf', EXE)).toEqual({
      ok: false,
      reason: 'scan.pdf does not look like a PDF: its content is not one',
    });
  });

  it('refuses a PDF named .png, saying what it is', () => {
    expect(sniffEvidence('screenshot.png', PDF)).toEqual({
      ok: false,
      reason:
        'screenshot.png does not look like a PNG image: its content is a PDF; name it with .pdf to upload it',
    });
  });

  it('refuses a plain ZIP named .docx or .xlsx, and a DOCX named .xlsx', () => {
    expect(sniffEvidence('letter.docx', PLAIN_ZIP)).toEqual({
      ok: false,
      reason:
        'letter.docx does not look like a Word document (DOCX): it is a ZIP archive, not a document saved by Word or Excel',
    });
    expect(sniffEvidence('orders.xlsx', PLAIN_ZIP).ok).toBe(false);
    expect(sniffEvidence('orders.xlsx', DOCX)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('its content is a Word document (DOCX); name it with .docx'),
    });
    // A truncated signature alone is not an archive.
    expect(sniffEvidence('letter.docx', Buffer.from('PK\x03\x04')).ok).toBe(false);
  });

  it('refuses text with NUL bytes, text that is not UTF-8, and binary named as text', () => {
    expect(sniffEvidence('notes.txt', Buffer.from('abc\0def'))).toEqual({
      ok: false,
      reason: 'notes.txt does not look like a text file: it holds NUL bytes, so it is binary, not text',
    });
    expect(sniffEvidence('orders.csv', Buffer.from([0x61, 0xff, 0xfe, 0x62]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not UTF-8'),
    });
    expect(sniffEvidence('notes.txt', PNG)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('its content is a PNG image'),
    });
    expect(sniffEvidence('mail.eml', Buffer.from('mail\0body'))).toMatchObject({ ok: false });
    expect(sniffEvidence('mail.eml', Buffer.from('Hello there, this is not a message'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('mail header'),
    });
  });

  it('refuses an empty file', () => {
    expect(sniffEvidence('invoice.pdf', Buffer.alloc(0))).toEqual({
      ok: false,
      reason: 'invoice.pdf is empty',
    });
  });

  it('judges the name it would store, not the one sent', () => {
    expect(sniffEvidence('C:\\fakepath\\invoice.pdf', PDF)).toMatchObject({ ok: true });
    // Shown as "invoiceexe.pdf" by a right-to-left override; the real extension is .exe.
    expect(sniffEvidence('invoice\u202Efdp.exe', EXE)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^invoicefdp\.exe: this type of file is not accepted/),
    });
  });
});

describe('safeFileName', () => {
  it('keeps an ordinary name as it is', () => {
    expect(safeFileName('Invoice 2026-03 (Northwind).pdf')).toBe('Invoice 2026-03 (Northwind).pdf');
    expect(safeFileName('Facture été.pdf')).toBe('Facture été.pdf');
  });

  it('strips paths, control characters, direction marks, leading dots and trailing dots', () => {
    expect(safeFileName('/etc/passwd')).toBe('passwd');
    expect(safeFileName('..\\..\\windows\\system.ini')).toBe('system.ini');
    expect(safeFileName('C:\\fakepath\\scan.pdf')).toBe('scan.pdf');
    expect(safeFileName('in\r\nvoice\u0000.pdf')).toBe('invoice.pdf');
    expect(safeFileName('a\u0085b\u007f.txt')).toBe('ab.txt');
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(safeFileName('.htaccess')).toBe('htaccess');
    expect(safeFileName('  report.pdf. . ')).toBe('report.pdf');
  });

  it('never answers an empty name', () => {
    for (const name of ['', '   ', '..', '/', 'dir/', '\u0000\u0001'])
      expect(safeFileName(name)).toBe('file');
  });

  it(`keeps at most ${FILE_NAME_MAX} characters, with the extension`, () => {
    const long = safeFileName(`${'a'.repeat(500)}.pdf`);
    expect(long).toHaveLength(FILE_NAME_MAX);
    expect(long.endsWith('a.pdf')).toBe(true);
    const noExtension = safeFileName('b'.repeat(300));
    expect(noExtension).toBe('b'.repeat(FILE_NAME_MAX));
    // Characters, not UTF-16 units: an emoji is never cut in half.
    const emoji = safeFileName(`${'😀'.repeat(300)}.png`);
    expect(Array.from(emoji)).toHaveLength(FILE_NAME_MAX);
    expect(emoji.endsWith('😀.png')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('is an attachment with an ASCII fallback and the exact name encoded', () => {
    expect(contentDisposition('invoice.pdf')).toBe(
      `attachment; filename="invoice.pdf"; filename*=UTF-8''invoice.pdf`,
    );
    expect(contentDisposition(`Facture "été" (1)*'.pdf`)).toBe(
      `attachment; filename="Facture __t__ (1)*'.pdf"; ` +
        `filename*=UTF-8''Facture%20%22%C3%A9t%C3%A9%22%20%281%29%2A%27.pdf`,
    );
  });

  it('cannot be broken out of', () => {
    const header = contentDisposition('a"; filename="evil.exe\r\nSet-Cookie: x=1.pdf');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.match(/"/g)).toHaveLength(2);
  });
});
