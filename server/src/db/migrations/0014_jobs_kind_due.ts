import type { Kysely } from 'kysely';

/**
 * The scheduler claims due jobs kind by kind (a batch kind such as the SLA job has claim loops of
 * its own, so mail piling up never delays a warning): `kind = ? and status = 'pending' and
 * run_at <= ? order by run_at limit ?` is a range of this index, however many jobs of other
 * kinds are due, and so is the next due instant of a kind.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('jobs_kind_due').on('jobs').columns(['kind', 'status', 'run_at']).execute();
}
