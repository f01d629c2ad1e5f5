// Request counters, so tests and the benchmark can see what a client actually sent and what it was served.

export interface CountersSnapshot {
  /** Every request the simulator answered or held, by operation (`token`, `downloadDocument`, SP-API names). */
  byOperation: Record<string, number>;
  /** Requests whose selling partner was known (authenticated, or LWA with a known refresh token). */
  bySeller: Record<string, Record<string, number>>;
  /** 429 QuotaExceeded responses, from usage plans and from injected throttle faults. */
  throttled: number;
  throttledByOperation: Record<string, number>;
  /** Responses by HTTP status. */
  byStatus: Record<string, number>;
  total: number;
}

export class Counters {
  private byOperation = new Map<string, number>();
  private bySeller = new Map<string, Map<string, number>>();
  private throttledByOperation = new Map<string, number>();
  private byStatus = new Map<number, number>();
  private throttled = 0;
  private total = 0;

  request(operation: string): void {
    this.total += 1;
    bump(this.byOperation, operation);
  }

  seller(sellerId: string, operation: string): void {
    let perOperation = this.bySeller.get(sellerId);
    if (!perOperation) {
      perOperation = new Map();
      this.bySeller.set(sellerId, perOperation);
    }
    bump(perOperation, operation);
  }

  response(operation: string, status: number): void {
    bump(this.byStatus, status);
    if (status === 429) {
      this.throttled += 1;
      bump(this.throttledByOperation, operation);
    }
  }

  reset(): void {
    this.byOperation = new Map();
    this.bySeller = new Map();
    this.throttledByOperation = new Map();
    this.byStatus = new Map();
    this.throttled = 0;
    this.total = 0;
  }

  snapshot(): CountersSnapshot {
    return {
      byOperation: Object.fromEntries(this.byOperation),
      bySeller: Object.fromEntries([...this.bySeller].map(([id, ops]) => [id, Object.fromEntries(ops)])),
      throttled: this.throttled,
      throttledByOperation: Object.fromEntries(this.throttledByOperation),
      byStatus: Object.fromEntries([...this.byStatus].map(([status, n]) => [String(status), n])),
      total: this.total,
    };
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
