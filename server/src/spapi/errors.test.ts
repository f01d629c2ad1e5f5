import { describe, expect, it } from 'vitest';
import {
  AuthError,
  AuthRevokedError,
  DocumentUrlExpiredError,
  MalformedDocumentError,
  NetworkError,
  NetworkTimeoutError,
  ReportFailedError,
  ReportTimeoutError,
  ServerError,
  SpApiError,
  ThrottledError,
  errorFromHttpResponse,
  safeDetail,
  toSpApiError,
} from './errors.ts';

// Shaped like amazon-sp-api's CustomError: an Error whose own fields are copied from what it was given.
function packageError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(), fields, { type: 'error' });
}

describe('toSpApiError', () => {
  it('maps invalid_grant from LWA to AuthRevokedError, not retryable', () => {
    const err = toSpApiError(
      packageError({
        code: 'invalid_grant',
        message: 'The request has an invalid grant parameter : refresh_token',
      }),
      'token',
    );
    expect(err).toBeInstanceOf(AuthRevokedError);
    expect(err).toMatchObject({ code: 'invalid_grant', retryable: false, operation: 'token' });
    expect(err.message).toContain('reauthorize');
  });

  it('maps invalid_client to AuthError', () => {
    const err = toSpApiError(
      packageError({ code: 'invalid_client', message: 'Client authentication failed' }),
      'token',
    );
    expect(err).toBeInstanceOf(AuthError);
    expect(err).not.toBeInstanceOf(AuthRevokedError);
    expect(err).toMatchObject({ code: 'invalid_client', retryable: false });
  });

  it.each(['API_RESPONSE_TIMEOUT', 'API_IDLE_TIMEOUT', 'API_DEADLINE_TIMEOUT', 'ETIMEDOUT'])(
    'maps %s to a retryable NetworkTimeoutError',
    (code) => {
      const err = toSpApiError(
        packageError({ code, message: 'No data received within 200ms.' }),
        'getReport',
      );
      expect(err).toBeInstanceOf(NetworkTimeoutError);
      expect(err).toMatchObject({ code, retryable: true, operation: 'getReport' });
    },
  );

  it('maps connection failures to a retryable NetworkError that is not a timeout', () => {
    const err = toSpApiError(
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      'getReports',
    );
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).not.toBeInstanceOf(NetworkTimeoutError);
    expect(err.retryable).toBe(true);
  });

  it('maps S3 refusing an expired document URL to DocumentUrlExpiredError', () => {
    const err = toSpApiError(
      packageError({ code: 'AccessDenied', message: 'Request has expired' }),
      'download',
    );
    expect(err).toBeInstanceOf(DocumentUrlExpiredError);
  });

  it('maps a non-XML download failure to a retryable ServerError', () => {
    const err = toSpApiError(packageError({ code: 'DOWNLOAD_ERROR', message: 'Bad Gateway' }), 'download');
    expect(err).toBeInstanceOf(ServerError);
    expect(err.retryable).toBe(true);
  });

  it('reads a throttled LWA answer out of the body the package puts in the message', () => {
    const body = JSON.stringify({ errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota' }] });
    const err = toSpApiError(
      packageError({ code: 'UNKNOWN_REFRESH_ACCESS_TOKEN_ERROR', message: body }),
      'token',
    );
    expect(err).toBeInstanceOf(ThrottledError);
  });

  it('treats an unparseable LWA answer as a retryable server error without echoing the body', () => {
    const err = toSpApiError(
      packageError({ code: 'REFRESH_ACCESS_TOKEN_PARSE_ERROR', message: '<html>502 Bad Gateway</html>' }),
      'token',
    );
    expect(err).toBeInstanceOf(ServerError);
    expect(err.message).not.toContain('<html>');
  });

  it('keeps unknown codes, not retryable, and passes SpApiErrors through untouched', () => {
    const unknown = toSpApiError(
      packageError({ code: 'INVALID_OPERATION_FOR_ENDPOINT', message: 'x' }),
      'op',
    );
    expect(unknown).toMatchObject({ code: 'INVALID_OPERATION_FOR_ENDPOINT', retryable: false });
    const original = new ServerError('boom', { operation: 'getReport' });
    expect(toSpApiError(original, 'other')).toBe(original);
    expect(toSpApiError('weird', 'op')).toMatchObject({ code: 'UNKNOWN', retryable: false });
  });

  it('never puts a token or secret into the message', () => {
    const err = toSpApiError(
      packageError({
        code: 'invalid_grant',
        message:
          'bad refresh_token=Atzr|IwEBIA-secret-value and access Atza|IwEBIB-other client amzn1.oa2-cs.v1.abc123',
      }),
      'token',
    );
    expect(err.message).not.toMatch(/IwEBIA|IwEBIB|abc123/);
    expect(err.message).toContain('[redacted]');
  });
});

describe('errorFromHttpResponse', () => {
  const quota = JSON.stringify({
    errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.' }],
  });

  it('maps 429 to ThrottledError with the rate from x-amzn-RateLimit-Limit and the request id', () => {
    const err = errorFromHttpResponse(
      {
        status: 429,
        headers: { 'x-amzn-ratelimit-limit': '0.0167', 'x-amzn-requestid': 'req-1' },
        body: quota,
      },
      'createReport',
    );
    expect(err).toBeInstanceOf(ThrottledError);
    expect(err).toMatchObject({ rateLimit: 0.0167, requestId: 'req-1', status: 429, retryable: true });
  });

  it('leaves rateLimit undefined when the header is missing or nonsense', () => {
    const none = errorFromHttpResponse(
      { status: 429, headers: {}, body: quota },
      'getReport',
    ) as ThrottledError;
    const junk = errorFromHttpResponse(
      { status: 429, headers: { 'x-amzn-ratelimit-limit': 'abc' }, body: '' },
      'getReport',
    ) as ThrottledError;
    expect(none.rateLimit).toBeUndefined();
    expect(junk.rateLimit).toBeUndefined();
  });

  it('maps 5xx to a retryable ServerError carrying Amazon code and message on one line', () => {
    const body = JSON.stringify({
      errors: [{ code: 'ServiceUnavailable', message: 'Service\nunavailable' }],
    });
    const err = errorFromHttpResponse({ status: 503, headers: {}, body }, 'getReports');
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ code: 'ServiceUnavailable', status: 503, retryable: true });
    expect(err.message).toBe('getReports: HTTP 503 ServiceUnavailable (Service unavailable)');
  });

  it('maps 403 to AuthError and other 4xx to a non-retryable SpApiError', () => {
    const body = JSON.stringify({
      errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }],
    });
    expect(errorFromHttpResponse({ status: 403, headers: {}, body }, 'getReport')).toBeInstanceOf(AuthError);
    const bad = errorFromHttpResponse({ status: 400, headers: {}, body: 'not json' }, 'createReport');
    expect(bad).toMatchObject({ code: 'HTTP_400', retryable: false });
    expect(bad.constructor).toBe(SpApiError);
  });
});

describe('report and document errors', () => {
  it('ReportFailedError carries the processing status and reason; neither outcome is retryable', () => {
    const fatal = new ReportFailedError({
      reportId: '123',
      status: 'FATAL',
      reason: 'The requested data is unavailable',
    });
    expect(fatal).toMatchObject({ status: 'FATAL', reportId: '123', retryable: false, code: 'REPORT_FATAL' });
    expect(fatal.message).toBe('Report 123 ended FATAL: The requested data is unavailable');
    const cancelled = new ReportFailedError({ reportId: '9', status: 'CANCELLED' });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', retryable: false });
    expect(cancelled.message).toContain('no data');
  });

  it('ReportTimeoutError is retryable and says how long it waited', () => {
    const err = new ReportTimeoutError({ reportId: '5', lastStatus: 'IN_PROGRESS', waitedMs: 1_200_000 });
    expect(err).toMatchObject({ retryable: true, lastStatus: 'IN_PROGRESS' });
    expect(err.message).toBe('Report 5 still IN_PROGRESS after 1200 s');
  });

  it('MalformedDocumentError keeps the raw bytes', () => {
    const raw = Buffer.from([0x1f, 0x8b, 0x08]);
    const err = new MalformedDocumentError('cut short', { operation: 'download', raw });
    expect(err.raw).toBe(raw);
    expect(JSON.stringify(err)).not.toContain('"raw"');
    expect(err).toMatchObject({
      retryable: false,
      code: 'MALFORMED_DOCUMENT',
      name: 'MalformedDocumentError',
    });
  });
});

describe('safeDetail', () => {
  it('folds whitespace and caps length', () => {
    const long = `line one\nline two ${'x'.repeat(400)}`;
    const out = safeDetail(long) ?? '';
    expect(out.startsWith('line one line two')).toBe(true);
    expect(out.length).toBe(200);
  });

  it('redacts key=value secrets', () => {
    expect(safeDetail('{"client_secret": "s3cr3t", "x": 1}')).toBe('{"client_secret": "[redacted]", "x": 1}');
  });
});
