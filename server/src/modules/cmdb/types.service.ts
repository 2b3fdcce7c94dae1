import type { Db, DbOrTx } from '../../db/index.js';
import { checkDefinitions, tightens, validateAttributes, type AttributeDef, type AttributeValues } from '../../core/cmdb/attributes.js';
import { BUILTIN_TYPES } from '../../core/cmdb/builtin-types.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { reviewArticlesOfCiType } from '../knowledge/ci-type-review.js';
import { type Actor } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import * as repo from './repo.js';
import type { TypeCreate, TypeOut, TypePatch } from './schema.js';

export function defsOf(row: Pick<repo.TypeRow, 'attributes'>): AttributeDef[] {
  return JSON.parse(row.attributes) as AttributeDef[];
}

export function typeOutOf(row: repo.TypeRow): TypeOut {
  return {
    id: Number(row.id),
    code: row.code,
    nameZh: row.name_zh,
    nameEn: row.name_en,
    icon: row.icon,
    attributes: defsOf(row),
    builtin: row.builtin === 1,
    disabled: row.disabled === 1,
    version: row.version,
    updatedAt: iso(Number(row.updated_at)),
  };
}

/** Drops undefined properties so the stored JSON holds only what the definition says. */
function cleanDefs(defs: AttributeDef[]): AttributeDef[] {
  return defs.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined && v !== null)) as unknown as AttributeDef);
}

/** Every CI type, by id: read once per request (a few dozen rows). */
export async function typeMap(db: DbOrTx): Promise<Map<number, repo.TypeRow>> {
  return new Map((await repo.listTypes(db)).map((t) => [Number(t.id), t]));
}

/** How many CIs are checked per query when a type's rule tightens. */
const CHECK_BATCH = 5000;

/**
 * CI types (docs/CMDB.md, "Types and attributes"): data, seeded with the built-in ones, edited by
 * an administrator (cmdb.manage). The rule for changing attributes: a change that could make a
 * stored value invalid (a new required attribute, a changed kind, narrower bounds, a choice
 * removed) is checked against every CI of the type and refused, naming the CIs, when any would
 * fail; labels, units, hints and new optional attributes are always accepted. An attribute
 * removed from the type keeps its values on existing CIs (shown as "other attributes") so
 * nothing is lost silently.
 */
export class CiTypeService {
  constructor(private readonly db: Db) {}

  async list(includeDisabled: boolean): Promise<TypeOut[]> {
    const rows = await repo.listTypes(this.db);
    return rows.filter((r) => includeDisabled || r.disabled !== 1).map(typeOutOf);
  }

  async get(id: number): Promise<TypeOut> {
    return typeOutOf(await this.find(id));
  }

  private async find(id: number): Promise<repo.TypeRow> {
    const row = await repo.findType(this.db, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  async create(actor: Actor, input: TypeCreate): Promise<TypeOut> {
    const defs = cleanDefs(input.attributes as AttributeDef[]);
    const problems = checkDefinitions(defs);
    if (problems.length) throw AppError.validation(problems);
    const now = Date.now();
    try {
      const id = await this.db.transaction().execute(async (trx) => {
        const id = await repo.insertType(trx, { code: input.code, name_zh: input.nameZh, name_en: input.nameEn, icon: input.icon, attributes: JSON.stringify(defs), builtin: 0, disabled: 0, version: 1, created_at: now, updated_at: now });
        await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'ci_types', entityId: id, after: { id, ...input, attributes: defs } }, now);
        return id;
      });
      return this.get(id);
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('code', input.code);
      throw err;
    }
  }

  async update(actor: Actor, id: number, patch: TypePatch): Promise<TypeOut> {
    const pre = await this.find(id);
    if (pre.version !== patch.version) throw AppError.conflict();
    const before = defsOf(pre);
    const after = patch.attributes ? cleanDefs(patch.attributes as AttributeDef[]) : before;
    if (patch.attributes) {
      const problems = checkDefinitions(after);
      if (problems.length) throw AppError.validation(problems);
      await this.checkExisting(id, before, after);
    }
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      const changes = {
        ...(patch.nameZh !== undefined ? { name_zh: patch.nameZh } : {}),
        ...(patch.nameEn !== undefined ? { name_en: patch.nameEn } : {}),
        ...(patch.icon !== undefined ? { icon: patch.icon } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
        attributes: JSON.stringify(after),
        updated_at: now,
      };
      if (!(await repo.updateType(trx, id, patch.version, changes))) throw AppError.conflict();
      await recordAudit(trx, auditActorOf(actor), { action: patch.disabled === true ? 'disable' : patch.disabled === false ? 'enable' : 'update', entity: 'ci_types', entityId: id, before: typeOutOf(pre), after: { ...patch, attributes: after } }, now);
      // Knowledge written for the type may no longer hold once its attributes change (issue #12's "needs review").
      if (JSON.stringify(after) !== JSON.stringify(before)) await reviewArticlesOfCiType(trx, auditActorOf(actor), { code: pre.code, nameZh: pre.name_zh, nameEn: pre.name_en }, now);
    });
    return this.get(id);
  }

  async setDisabled(actor: Actor, id: number, version: number, disabled: boolean): Promise<TypeOut> {
    return this.update(actor, id, { version, disabled });
  }

  /** Refuses a change that would leave a stored value invalid (see the class comment). */
  private async checkExisting(typeId: number, before: AttributeDef[], after: AttributeDef[]): Promise<void> {
    const old = new Map(before.map((d) => [d.key, d]));
    const tightened = after.filter((d) => tightens(old.get(d.key), d));
    if (!tightened.length) return;
    for (const d of tightened) {
      const failing: string[] = [];
      let count = 0;
      let afterId = 0;
      for (;;) {
        const rows = await repo.cisOfType(this.db, typeId, afterId, CHECK_BATCH);
        if (!rows.length) break;
        afterId = Number(rows[rows.length - 1].id);
        for (const r of rows) {
          const values = JSON.parse(r.attributes) as AttributeValues;
          if (validateAttributes([d], { [d.key]: values[d.key] }).problems.length) {
            count++;
            if (failing.length < 5) failing.push(r.code);
          }
        }
      }
      if (count) throw new AppError(409, 'incompatible', 'cmdb.type.incompatible', { zh: d.zh, en: d.en, count, codes: failing.join('、') }, [{ field: `attributes[${after.indexOf(d)}]`, code: 'cmdb.type.incompatible', params: { zh: d.zh, en: d.en, count, codes: failing.join('、') } }]);
    }
  }
}

/**
 * Adds the built-in types an installation lacks (by code), after every migrate. A type an
 * administrator edited is never overwritten (types are never deleted, only disabled).
 */
export async function seedBuiltinTypes(db: Db): Promise<void> {
  const have = new Set((await repo.listTypes(db)).map((t) => t.code));
  const now = Date.now();
  const missing = BUILTIN_TYPES.filter((t) => !have.has(t.code));
  if (!missing.length) return;
  await db
    .insertInto('ci_types')
    .values(missing.map((t) => ({ code: t.code, name_zh: t.zh, name_en: t.en, icon: t.icon, attributes: JSON.stringify(t.attributes), builtin: 1, disabled: 0, version: 1, created_at: now, updated_at: now })))
    .execute();
}
