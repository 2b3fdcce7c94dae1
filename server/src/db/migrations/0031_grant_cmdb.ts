import { sql, type Kysely } from 'kysely';

/**
 * The CMDB, parts and repairs permissions (issue #13) granted to the built-in roles of an
 * installation that already has them (seeding adds only missing roles). Adds codes; never
 * removes what an administrator granted or revoked otherwise.
 */
const GRANTS: Record<string, string[]> = {
  admin: ['cmdb.read', 'cmdb.write', 'cmdb.manage', 'parts.read', 'parts.write', 'repairs.read', 'repairs.write'],
  desk: ['cmdb.read', 'cmdb.write', 'parts.read', 'repairs.read', 'repairs.write'],
  engineer: ['cmdb.read', 'cmdb.write', 'parts.read', 'parts.write', 'repairs.read', 'repairs.write'],
  pm: ['cmdb.read', 'cmdb.write', 'parts.read', 'parts.write', 'repairs.read', 'repairs.write'],
  quality: ['cmdb.read', 'parts.read', 'repairs.read'],
  auditor: ['cmdb.read', 'parts.read', 'repairs.read'],
  customer_admin: ['cmdb.read'],
  customer_contact: ['cmdb.read'],
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
