import { describe, expect, it, vi } from 'vitest';
import { UploadError, uploadEvidence, uploadPath } from './upload.ts';

const CASE = '6f1c2b9e-0d4a-4c6e-9b1a-2f3d4e5f6a7b';

function answer(status: number, body: unknown): typeof fetch {
  return vi.fn(() =>
    Promise.resolve(new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })),
  ) as unknown as typeof fetch;
}

const input = {
  caseId: CASE,
  file: new Blob(['%PDF-1.4\n']),
  fileName: 'invoice march.pdf',
  description: ' Supplier invoice ',
  csrfToken: 'token-1',
};

describe('uploading evidence', () => {
  it('sends the bytes with the name, the description and the CSRF token', async () => {
    const item = { id: 'e1', fileName: 'invoice march.pdf' };
    const fetchFn = answer(201, item);
    expect(await uploadEvidence(input, fetchFn)).toEqual(item);
    const [path, init] = (fetchFn as unknown as ReturnType<typeof vi.fn>).mock.calls[0] as [
      string,
      RequestInit,
    ];
    expect(path).toBe(`/api/cases/${CASE}/evidence?name=invoice+march.pdf&description=Supplier+invoice`);
    const headers = new Headers(init.headers);
    expect(init.method).toBe('POST');
    expect(headers.get('content-type')).toBe('application/octet-stream');
    expect(headers.get('x-csrf-token')).toBe('token-1');
    expect(init.body).toBe(input.file);
    expect(uploadPath(CASE, 'a.pdf', '  ')).toBe(`/api/cases/${CASE}/evidence?name=a.pdf`);
  });

  it("says a refusal in the server's words, with what to do", async () => {
    const tooLarge = answer(413, {
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'the file is larger than the 10 MB a case takes' },
    });
    await expect(uploadEvidence(input, tooLarge)).rejects.toThrow(
      /invoice march\.pdf is too large: the file is larger than the 10 MB a case takes/,
    );
    const wrongType = answer(415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'not a PDF' } });
    const error = (await uploadEvidence(input, wrongType).catch((e: unknown) => e)) as UploadError;
    expect(error).toBeInstanceOf(UploadError);
    expect(error.status).toBe(415);
    expect(error.message).toMatch(/was not accepted: not a PDF\. Accepted: PDF/);
    // A proxy's own page for a 413: no message of the server's to give.
    await expect(uploadEvidence(input, answer(413, '<html>Too large</html>'))).rejects.toThrow(
      /too large: the server refused a file this large/,
    );
    const down = vi.fn(() => Promise.reject(new TypeError('fetch failed'))) as unknown as typeof fetch;
    await expect(uploadEvidence(input, down)).rejects.toThrow(/No answer from the server/);
  });
});
