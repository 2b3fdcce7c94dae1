import { sql, type Kysely } from 'kysely';

/**
 * The reporting and knowledge permissions (issues #11, #12) granted to the built-in roles of an
 * installation that already has them. Seeding adds only missing roles, so without this an
 * existing installation's PM could not see reports. Adds codes; never removes what an
 * administrator granted or revoked otherwise.
 */
const GRANTS: Record<string, string[]> = {
  admin: ['reports.read', 'reports.write', 'reports.manage', 'evidence.export', 'knowledge.read', 'knowledge.write', 'knowledge.review'],
  desk: ['knowledge.read', 'knowledge.write', 'knowledge.review'],
  engineer: ['knowledge.read', 'knowledge.write'],
  pm: ['reports.read', 'reports.write', 'knowledge.read', 'knowledge.write'],
  quality: ['reports.read', 'reports.write', 'evidence.export', 'knowledge.read', 'knowledge.review'],
  auditor: ['reports.read', 'evidence.export', 'knowledge.read'],
  customer_admin: ['reports.read', 'reports.signoff', 'knowledge.read'],
  customer_contact: ['knowledge.read'],
};

export async function up(db: Kysely<any>): Promise<void> {
  const roles: { id: number; code: string; permissions: string }[] = await db.selectFrom('roles').select(['id', 'code', 'permissions']).where('builtin', '=', 1).execute();
  for (const role of roles) {
    const add = GRANTS[role.code];
    if (!add) continue;
    const current: string[] = JSON.parse(role.permissions);
    const next = [...current, ...add.filter((c) => !current.includes(c))];
    if (next.length === current.length) continue;
    await db.updateTable('roles').set({ permissions: JSON.stringify(next), version: sql`version + 1` }).where('id', '=', role.id).execute();
  }
}
