import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { Overview } from './metrics.schemas.ts';
import { buildOverview } from './metrics.service.ts';

// The overview is what everybody opens first, often several people at once, and it changes only when a poll ends
// or an account is connected. It is built once per change and served as the same bytes until the next one. The
// version is read from the database, so with several instances each one notices a poll another one finished.

/** Freshness flags depend on the clock, so even an unchanged fleet is re-read this often. */
const MAX_AGE_MS = 30_000;

interface Built {
  version: string;
  at: number;
  body: string;
}

export class OverviewCache {
  private built: Built | undefined;
  private building: Promise<Built> | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly staleAfterMs: number,
  ) {}

  /** The overview as JSON text, current as of the last poll that ended. */
  async json(): Promise<string> {
    const version = await this.version();
    const built = this.built;
    if (built && built.version === version && Date.now() - built.at < MAX_AGE_MS) return built.body;
    // Requests arriving while it is built wait for the same build.
    this.building ??= this.build(version).finally(() => {
      this.building = undefined;
    });
    return (await this.building).body;
  }

  private async build(version: string): Promise<Built> {
    const overview = await buildOverview(this.db, { now: new Date(), staleAfterMs: this.staleAfterMs });
    // Validated here, once per build, since the cached text bypasses the route's serializer.
    const body = JSON.stringify(Overview.parse(overview));
    this.built = { version, at: Date.now(), body };
    return this.built;
  }

  /** Every poll ends by updating its account's row, and connecting or removing one changes the count. */
  private async version(): Promise<string> {
    const { rows } = await sql<{ n: string; at: Date | null }>`select count(*) as n, max(updated_at) as at
      from seller_accounts`.execute(this.db);
    return `${rows[0]?.n}:${rows[0]?.at?.getTime() ?? 0}`;
  }
}
