import { sql, type Kysely } from 'kysely';

// The Account Health Rating band now comes from the score wherever there is one (0-99 critical, 100-199 at risk,
// 200 and up healthy), named as Seller Central names them; the label decides only without a score. Stored bands
// are worked out again from what was stored beside them.

const FROM_SCORE = sql`case
    when ahr_score is null or ahr_score < 0 then (case when ahr_band = 'unhealthy' then 'critical' else ahr_band end)
    when ahr_score < 100 then 'critical'
    when ahr_score < 200 then 'at_risk'
    else 'healthy'
  end`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`update health_snapshots set ahr_band = ${FROM_SCORE} where ahr_band is not null or ahr_score is not null`.execute(
    db,
  );
  await sql`update account_marketplaces set ahr_band = ${FROM_SCORE} where ahr_band is not null or ahr_score is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  // The labels' bands of before cannot be told apart from the scores' now; only the name goes back.
  await sql`update health_snapshots set ahr_band = 'unhealthy' where ahr_band = 'critical'`.execute(db);
  await sql`update account_marketplaces set ahr_band = 'unhealthy' where ahr_band = 'critical'`.execute(db);
}
