/** The document is not a seller performance report at all, so there is nothing to tolerate. The message is one
 * line so it can go straight into a poll-run record or a CLI `error:` line. */
export class ReportFormatError extends Error {
  readonly code = 'REPORT_MALFORMED';

  constructor(reason: string) {
    super(reason.replace(/\s*[\r\n]+\s*/g, ' ').trim());
    this.name = 'ReportFormatError';
  }
}
