import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/**
 * Test and demo setup: CIs written straight into `cis` (the CMDB module owns them; tests of the
 * assets module need a few without depending on its API), under a CI type found by code or made.
 */
export async function ciTypeId(db: Kysely<DB>, code = 'server'): Promise<number> {
  const found = await db.selectFrom('ci_types').select('id').where('code', '=', code).executeTakeFirst();
  if (found) return Number(found.id);
  const now = Date.now();
  const row = await db
    .insertInto('ci_types')
    .values({ code, name_zh: code === 'server' ? '服务器' : code, name_en: code, attributes: '[]', icon: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export interface CiSeed {
  customerId: number;
  siteId?: number | null;
  code: string;
  name: string;
  serial?: string | null;
  brand?: string | null;
  model?: string | null;
  type?: string;
}

export async function insertCi(db: Kysely<DB>, c: CiSeed): Promise<number> {
  const now = Date.now();
  const row = await db
    .insertInto('cis')
    .values({
      customer_id: c.customerId,
      site_id: c.siteId ?? null,
      type_id: await ciTypeId(db, c.type),
      code: c.code,
      name: c.name,
      status: 'in_use',
      criticality: 2,
      owner_id: null,
      owner_name: null,
      brand: c.brand ?? null,
      model: c.model ?? null,
      serial: c.serial ?? null,
      ip: null,
      hostname: null,
      attributes: '{}',
      description: null,
      created_at: now,
      updated_at: now,
      created_by: null,
      updated_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}
