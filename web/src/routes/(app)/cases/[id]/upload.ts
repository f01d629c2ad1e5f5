import type { CaseEvidenceItem } from '$lib/api';

// A supporting document goes to the API as its own bytes (content-type application/octet-stream), its name and
// description in the address: not JSON, so not through `send` in $lib/api.ts. The session's CSRF token goes with
// it as with every change. A refusal is told in the server's own words (the size limit, the types accepted).

export class UploadError extends Error {
  override readonly name = 'UploadError';

  constructor(
    /** HTTP status; 0 when no answer came. */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface UploadInput {
  caseId: string;
  file: Blob;
  fileName: string;
  description: string;
  csrfToken: string | undefined;
}

export function uploadPath(caseId: string, fileName: string, description: string): string {
  const query = new URLSearchParams({ name: fileName });
  if (description.trim() !== '') query.set('description', description.trim());
  return `/api/cases/${caseId}/evidence?${query}`;
}

export async function uploadEvidence(
  input: UploadInput,
  fetchFn: typeof fetch = fetch,
): Promise<CaseEvidenceItem> {
  const headers = new Headers({ 'content-type': 'application/octet-stream', accept: 'application/json' });
  if (input.csrfToken) headers.set('x-csrf-token', input.csrfToken);
  let response: Response;
  try {
    response = await fetchFn(uploadPath(input.caseId, input.fileName, input.description), {
      method: 'POST',
      headers,
      body: input.file,
    });
  } catch {
    throw new UploadError(0, 'No answer from the server: the file was not uploaded. Try again.');
  }
  const text = await response.text();
  if (response.ok) {
    try {
      return JSON.parse(text) as CaseEvidenceItem;
    } catch {
      throw new UploadError(
        response.status,
        'The server accepted the file but its answer could not be read.',
      );
    }
  }
  throw new UploadError(response.status, refusal(response.status, serverMessage(text), input.fileName));
}

function serverMessage(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : null;
  } catch {
    return null;
  }
}

/** What to tell the user: the server's message, with what to do about it. */
export function refusal(status: number, message: string | null, fileName: string): string {
  switch (status) {
    case 413:
      return `${fileName} is too large: ${message ?? 'the server refused a file this large'}. Upload a smaller file (a compressed PDF, or the pages that matter).`;
    case 415:
      return `${fileName} was not accepted: ${message ?? 'this type of file is not accepted'}. Accepted: PDF, PNG, JPEG, GIF, WebP, TXT, CSV, DOCX, XLSX and EML.`;
    case 401:
      return 'Your session has ended: sign in again, then upload the file.';
    default:
      return message ?? `The server answered ${status}: the file was not uploaded.`;
  }
}
