// Amazon's default usage plans (rate in requests per second, burst) per selling partner and operation, from the
// Reports API 2021-06-30 and Sellers API models. The client side paces itself by them; the simulator enforces them.

export type SpApiOperation =
  | 'createReport'
  | 'getReport'
  | 'getReports'
  | 'cancelReport'
  | 'getReportDocument'
  | 'getMarketplaceParticipations'
  | 'getAccount';

export interface UsagePlan {
  /** Sustained requests per second (the token-bucket refill). */
  rate: number;
  /** Requests that may be made at once after a quiet period (the bucket size). */
  burst: number;
}

export const USAGE_PLANS: Readonly<Record<SpApiOperation, UsagePlan>> = Object.freeze({
  createReport: { rate: 0.0167, burst: 15 },
  getReport: { rate: 2, burst: 15 },
  getReports: { rate: 0.0222, burst: 10 },
  cancelReport: { rate: 0.0222, burst: 10 },
  getReportDocument: { rate: 0.0167, burst: 15 },
  getMarketplaceParticipations: { rate: 0.016, burst: 15 },
  getAccount: { rate: 0.016, burst: 15 },
});
