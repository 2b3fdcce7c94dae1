import ExcelJS from 'exceljs';
import { yieldToIo } from '../../platform/jobs/yield.js';
import { dialectOf } from '../../db/dialect.js';
import { z } from 'zod';
import type { Db } from '../../db/index.js';
import { valueText, type AttributeDef, type AttributeValues } from '../../core/cmdb/attributes.js';
import { chunks } from '../../core/cmdb/impact.js';
import { CI_STATUSES, CRITICALITY_ZH, STATUS_ZH, type CiStatus, type Criticality } from '../../core/cmdb/rules.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import { AppError, zodIssuesToProblems, type FieldProblem } from '../../platform/http/errors.js';
import { optionalText, text } from '../../platform/http/zod.js';
import { fieldLabel, t } from '../../platform/i18n/index.js';
import { cellText, openWorkbook } from '../organisation/import.js';
import { normalizeCi, requireProvider, diffCi, type CiService, type CiValues } from './cis.service.js';
import * as repo from './repo.js';
import type { ExportQuery, ImportOut } from './schema.js';
import { indexCis } from './search.js';
import { defsOf, typeMap } from './types.service.js';

/**
 * Excel import and export of CIs (docs/CMDB.md, "Import and export"). One sheet per CI type
 * (named by the type's Chinese name or code) or a sheet with a 类型 column; columns found by
 * header; every row checked with the form's rules before anything is written; all or nothing in
 * one transaction. The workbook is opened with the contacts import's guards
 * (organisation/import.ts, `openWorkbook`, `cellText`).
 */

export const MAX_IMPORT_ROWS = 20_000;
const MAX_REPORTED_PROBLEMS = 500;
/** Rows inserted per statement. */
const BATCH = 200;

type Common = 'code' | 'name' | 'type' | 'customer' | 'site' | 'status' | 'criticality' | 'owner' | 'brand' | 'model' | 'serial' | 'ip' | 'hostname' | 'description';

/** The common columns in the template's order, with the headers they are known by (Chinese first). */
const COMMON: Array<{ key: Common; zh: string; aliases: string[]; width: number; note?: string }> = [
  { key: 'code', zh: '编号', aliases: ['code', '配置项编号', 'ci编号'], width: 18, note: '必填；全系统唯一，如 SRV-HIS-DB01（字母、数字和 - _ . /）' },
  { key: 'name', zh: '名称', aliases: ['name', '配置项名称'], width: 24, note: '必填' },
  { key: 'customer', zh: '客户', aliases: ['customer', '客户名称', '客户编号'], width: 16, note: '客户编号或名称；导入时已选客户可留空' },
  { key: 'site', zh: '服务地点', aliases: ['site', '地点', '位置'], width: 14, note: '须与该客户的服务地点名称一致，可留空' },
  { key: 'status', zh: '状态', aliases: ['status'], width: 8, note: '规划中 / 在用 / 维护中 / 备用 / 已退役；空：在用' },
  { key: 'criticality', zh: '重要程度', aliases: ['criticality', '重要性'], width: 8, note: '关键 / 高 / 中 / 低（或 1–4）；空：中' },
  { key: 'owner', zh: '负责人', aliases: ['owner'], width: 10 },
  { key: 'brand', zh: '品牌', aliases: ['brand', '厂商'], width: 10 },
  { key: 'model', zh: '型号', aliases: ['model'], width: 14 },
  { key: 'serial', zh: '序列号', aliases: ['serial', 'sn', '序列号(sn)'], width: 16, note: '全系统唯一，可留空' },
  { key: 'ip', zh: '管理IP', aliases: ['ip', '管理ip地址', 'ip地址'], width: 14 },
  { key: 'hostname', zh: '主机名', aliases: ['hostname', 'host'], width: 18 },
  { key: 'description', zh: '说明', aliases: ['description', '备注'], width: 24 },
];
const TYPE_COLUMN = { zh: '类型', aliases: ['type', '配置项类型'] };

const norm = (s: string) => s.trim().replace(/\*$/, '').replace(/\s+/g, '').toLowerCase();

function attributeHeader(d: AttributeDef): string {
  return d.unit ? `${d.zh}（${d.unit}）` : d.zh;
}

/** The attribute a header names: its label, its label with the unit in either kind of parentheses, or its key. */
function attributeOf(defs: readonly AttributeDef[], header: string): AttributeDef | undefined {
  const h = norm(header);
  const bare = h.replace(/[（(][^）)]*[）)]$/, '');
  return defs.find((d) => norm(d.zh) === h || norm(d.zh) === bare || d.key.toLowerCase() === h);
}

const commonOf = (header: string): Common | 'type' | undefined => {
  const h = norm(header);
  if (norm(TYPE_COLUMN.zh) === h || TYPE_COLUMN.aliases.includes(h)) return 'type';
  return COMMON.find((c) => norm(c.zh) === h || c.aliases.includes(h))?.key;
};

const STATUS_WORDS: Record<string, CiStatus> = Object.fromEntries([
  ...CI_STATUSES.map((s) => [s, s]),
  ...Object.entries(STATUS_ZH).map(([k, v]) => [v, k]),
  ['使用中', 'in_use'], ['在用', 'in_use'], ['in use', 'in_use'], ['维修中', 'maintenance'], ['报废', 'retired'], ['退役', 'retired'], ['规划', 'planned'], ['闲置', 'spare'],
]) as Record<string, CiStatus>;
const CRITICALITY_WORDS: Record<string, Criticality> = { '1': 1, '2': 2, '3': 3, '4': 4, 关键: 1, 高: 2, 中: 3, 低: 4, critical: 1, high: 2, medium: 3, low: 4, 重要: 2, 一般: 3 };

/** Column letters as Excel shows them (1 → A, 27 → AA). */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

const rowSchema = z.object({
  code: text(64),
  name: text(200),
  owner: optionalText(100),
  brand: optionalText(100),
  model: optionalText(100),
  serial: optionalText(100),
  ip: optionalText(64),
  hostname: optionalText(255),
  description: optionalText(5000),
  customer: optionalText(200),
  site: optionalText(100),
  status: optionalText(20),
  criticality: optionalText(20),
});

interface ParsedRow {
  sheet: string;
  row: number;
  typeId: number;
  customerId: number;
  values: CiValues;
  addresses: string[];
}

export interface Progress {
  (p: { phase: 'read' | 'check' | 'write' | 'index'; done?: number; total?: number }): void;
}

/** One problem of a cell, in the caller's language: 工作表“物理服务器”单元格 F7：属性“内存”应为数字. */
function cellProblem(actor: Actor, sheet: string, row: number, col: number, header: string, p: { code: string; params?: Record<string, unknown> }): FieldProblem {
  const key = p.code.includes('.') ? p.code : `validation.${p.code}`;
  const message = t(actor.locale, key, { field: header, ...(p.params ?? {}) });
  const cell = `${columnLetter(col)}${row}`;
  return { field: `rows[${sheet}!${row}].${header}`, row, column: header, code: 'cmdb.import.cell', params: { sheet, cell, message } };
}

export class CiImportService {
  constructor(
    private readonly db: Db,
    private readonly cis: CiService,
  ) {}

  /**
   * Checks every row of every sheet, then writes them all in one transaction (or nothing:
   * 400 with every problem). `dryRun`: check only.
   */
  async import(actor: Actor, buf: Buffer, opts: { customerId?: number; dryRun?: boolean }, progress: Progress = () => {}): Promise<ImportOut> {
    requireProvider(actor);
    const started = performance.now();
    progress({ phase: 'read' });
    if (opts.customerId !== undefined) await this.cis.checkCustomer(actor, opts.customerId);
    const workbook = await openWorkbook(buf);
    const types = [...(await typeMap(this.db)).values()];
    const typeByName = new Map<string, repo.TypeRow>();
    for (const ty of types) {
      typeByName.set(norm(ty.name_zh), ty);
      typeByName.set(norm(ty.code), ty);
      typeByName.set(norm(ty.name_en), ty);
    }

    // Sheets to import and their columns.
    interface Sheet { name: string; ws: ExcelJS.Worksheet; type: repo.TypeRow | null; header: Map<number, string> }
    const sheets: Sheet[] = [];
    let totalRows = 0;
    for (const ws of workbook.worksheets) {
      if (ws.actualRowCount < 1) continue;
      const header = new Map<number, string>();
      ws.getRow(1).eachCell({ includeEmpty: false }, (cell, col) => {
        const label = (cellText(cell.value) ?? '').trim();
        if (label) header.set(col, label);
      });
      const type = typeByName.get(norm(ws.name)) ?? null;
      const hasTypeColumn = [...header.values()].some((h) => commonOf(h) === 'type');
      if (!type && !hasTypeColumn) continue;
      const known = [...header.values()].map(commonOf);
      if (!known.includes('code') || !known.includes('name')) throw AppError.field('file', 'cmdb.import.noHeader', { sheet: ws.name });
      const seen = new Set<string>();
      for (const h of header.values()) {
        if (seen.has(norm(h))) throw AppError.field('file', 'cmdb.import.duplicateHeader', { sheet: ws.name, column: h });
        seen.add(norm(h));
      }
      totalRows += Math.max(0, ws.actualRowCount - 1);
      sheets.push({ name: ws.name, ws, type, header });
    }
    if (!sheets.length) throw AppError.field('file', 'cmdb.import.noSheets');
    if (totalRows > MAX_IMPORT_ROWS) throw AppError.field('file', 'cmdb.import.tooManyRows', { count: totalRows, max: MAX_IMPORT_ROWS });

    // Customers (by code and name, in scope) and their sites (by name).
    const customers = await this.customersInScope(actor);
    const sitesOf = new Map<number, Map<string, number[]>>();
    const sitesFor = async (customerId: number) => {
      let m = sitesOf.get(customerId);
      if (!m) {
        m = new Map();
        for (const s of await this.db.selectFrom('sites').select(['id', 'name']).where('customer_id', '=', customerId).execute()) m.set(s.name.trim(), [...(m.get(s.name.trim()) ?? []), Number(s.id)]);
        sitesOf.set(customerId, m);
      }
      return m;
    };

    const problems: FieldProblem[] = [];
    const rows: ParsedRow[] = [];
    const codes = new Map<string, string>();
    const serials = new Map<string, string>();
    let done = 0;
    for (const sh of sheets) {
      const commonCols = new Map<Common | 'type', number>();
      for (const [col, h] of sh.header) {
        const c = commonOf(h);
        if (c) commonCols.set(c, col);
      }
      // Which column holds which attribute, per type (a sheet with a 类型 column mixes types).
      const attrCols = new Map<number, Map<string, number>>();
      const attributeColumns = (typeId: number, defs: AttributeDef[]) => {
        let m = attrCols.get(typeId);
        if (!m) {
          m = new Map();
          for (const [col, h] of sh.header) {
            const d = commonOf(h) ? undefined : attributeOf(defs, h);
            if (d) m.set(d.key, col);
          }
          attrCols.set(typeId, m);
        }
        return m;
      };
      const last = sh.ws.actualRowCount + 200;
      for (let r = 2; r <= Math.max(sh.ws.rowCount, 2) && r <= last; r++) {
        const row = sh.ws.getRow(r);
        if (!row.hasValues) continue;
        const raw = new Map<number, string | undefined>();
        for (const col of sh.header.keys()) raw.set(col, cellText(row.getCell(col).value));
        if ([...raw.values()].every((v) => v !== undefined && v.trim() === '')) continue;
        done++;
        if (done % 500 === 0) {
          progress({ phase: 'check', done, total: totalRows });
          // Outside any transaction: let the line reach the client (SQLite's driver never yields on its own).
          await yieldToIo();
        }
        const at = (col: number, p: { code: string; params?: Record<string, unknown> }) => problems.push(cellProblem(actor, sh.name, r, col, sh.header.get(col) ?? '', p));
        let bad = false;
        for (const [col, v] of raw) if (v === undefined) {
          at(col, { code: 'cmdb.import.unreadable' });
          bad = true;
        }
        // The row's type: the sheet's, or its 类型 cell.
        let type = sh.type;
        if (commonCols.has('type')) {
          const col = commonCols.get('type')!;
          const v = (raw.get(col) ?? '').trim();
          if (v) type = typeByName.get(norm(v)) ?? null;
          if (!type) {
            at(col, { code: 'cmdb.import.typeUnknown', params: { value: v } });
            continue;
          }
        }
        if (!type) continue;
        if (type.disabled === 1) {
          at(commonCols.get('type') ?? commonCols.get('code')!, { code: 'cmdb.type.disabled', params: { name: type.name_zh } });
          continue;
        }
        const defs = defsOf(type);
        const common: Record<string, string> = {};
        for (const [key, col] of commonCols) if (key !== 'type') common[key] = raw.get(col) ?? '';
        const parsed = rowSchema.safeParse(common);
        if (!parsed.success) {
          for (const p of zodIssuesToProblems(parsed.error.issues)) {
            const col = commonCols.get(p.field as Common);
            if (col !== undefined) at(col, { ...p, code: p.code === 'required' ? 'required' : p.code });
            else at(commonCols.get('code')!, { code: 'required', params: {} });
          }
          continue;
        }
        const v = parsed.data;
        // Customer: the cell, else the one chosen for the import.
        let customerId = opts.customerId ?? null;
        if (v.customer) {
          const c = customers.get(norm(v.customer));
          if (!c) {
            at(commonCols.get('customer')!, { code: 'cmdb.import.customerUnknown', params: { value: v.customer } });
            bad = true;
          } else customerId = c;
        }
        if (customerId === null && !bad) {
          at(commonCols.get('customer') ?? commonCols.get('code')!, { code: 'cmdb.import.customerRequired' });
          bad = true;
        }
        let siteId: number | null = null;
        if (v.site && customerId !== null) {
          const ids = (await sitesFor(customerId)).get(v.site) ?? [];
          if (ids.length !== 1) {
            at(commonCols.get('site')!, { code: ids.length ? 'cmdb.import.siteAmbiguous' : 'cmdb.import.siteUnknown', params: { value: v.site } });
            bad = true;
          } else siteId = ids[0];
        }
        let status: CiStatus = 'in_use';
        if (v.status) {
          const s = STATUS_WORDS[v.status.toLowerCase()];
          if (!s) {
            at(commonCols.get('status')!, { code: 'cmdb.import.statusUnknown', params: { value: v.status } });
            bad = true;
          } else status = s;
        }
        let criticality: Criticality = 3;
        if (v.criticality) {
          const c = CRITICALITY_WORDS[v.criticality.toLowerCase()];
          if (!c) {
            at(commonCols.get('criticality')!, { code: 'cmdb.import.criticalityUnknown', params: { value: v.criticality } });
            bad = true;
          } else criticality = c;
        }
        // Attributes from their columns (other columns are ignored).
        const attrCol = attributeColumns(Number(type.id), defs);
        const attributes: Record<string, unknown> = {};
        for (const [key, col] of attrCol) attributes[key] = raw.get(col) ?? '';
        const given: CiValues = {
          code: v.code, name: v.name, siteId, status, criticality, ownerId: null, ownerName: v.owner, brand: v.brand, model: v.model, serial: v.serial,
          ip: v.ip, hostname: v.hostname, attributes: attributes as AttributeValues, description: v.description,
        };
        const n = normalizeCi(given, defs, { lenient: true });
        for (const p of n.problems) {
          const key = p.field.startsWith('attributes.') ? p.field.slice('attributes.'.length) : null;
          const col = key ? (attrCol.get(key) ?? commonCols.get('code')!) : (commonCols.get(p.field as Common) ?? commonCols.get('code')!);
          at(col, p);
          bad = true;
        }
        // Unique in the file.
        const where = `${sh.name}!${columnLetter(commonCols.get('code')!)}${r}`;
        const code = n.values.code;
        if (codes.has(code)) {
          at(commonCols.get('code')!, { code: 'cmdb.import.duplicateInFile', params: { what: fieldLabel(actor.locale, 'code'), value: code, other: codes.get(code) } });
          bad = true;
        } else codes.set(code, where);
        if (n.values.serial) {
          if (serials.has(n.values.serial)) {
            at(commonCols.get('serial')!, { code: 'cmdb.import.duplicateInFile', params: { what: fieldLabel(actor.locale, 'serial'), value: n.values.serial, other: serials.get(n.values.serial) } });
            bad = true;
          } else serials.set(n.values.serial, `${sh.name}!${columnLetter(commonCols.get('serial')!)}${r}`);
        }
        if (!bad && customerId !== null) rows.push({ sheet: sh.name, row: r, typeId: Number(type.id), customerId, values: n.values, addresses: n.addresses });
        if (problems.length > MAX_REPORTED_PROBLEMS) break;
      }
    }
    // Unique in the installation.
    const [usedCodes, usedSerials] = await Promise.all([repo.existingKeys(this.db, 'code', [...codes.keys()]), repo.existingKeys(this.db, 'serial', [...serials.keys()])]);
    const cellAt = (ref: string) => {
      const [sheet, cell] = ref.split('!');
      const m = /^([A-Z]+)(\d+)$/.exec(cell)!;
      return { sheet, row: Number(m[2]), col: [...m[1]].reduce((a, ch) => a * 26 + ch.charCodeAt(0) - 64, 0) };
    };
    const headerAt = (sheet: string, col: number) => sheets.find((s) => s.name === sheet)?.header.get(col) ?? '';
    for (const [code, existing] of usedCodes) {
      const c = cellAt(codes.get(code)!);
      problems.push(cellProblem(actor, c.sheet, c.row, c.col, headerAt(c.sheet, c.col), { code: 'cmdb.import.exists', params: { what: fieldLabel(actor.locale, 'code'), value: code, code: existing } }));
    }
    for (const [serial, existing] of usedSerials) {
      const c = cellAt(serials.get(serial)!);
      problems.push(cellProblem(actor, c.sheet, c.row, c.col, headerAt(c.sheet, c.col), { code: 'cmdb.import.exists', params: { what: fieldLabel(actor.locale, 'serial'), value: serial, code: existing } }));
    }
    if (problems.length) {
      throw new AppError(400, 'validation', 'cmdb.import.summary', { count: problems.length }, problems.slice(0, MAX_REPORTED_PROBLEMS));
    }
    progress({ phase: 'check', done: rows.length, total: rows.length });

    const bySheet = sheets.map((s) => ({ sheet: s.name, typeCode: s.type?.code ?? null, rows: rows.filter((r) => r.sheet === s.name).length }));
    if (opts.dryRun) return { imported: 0, dryRun: true, bySheet, tookMs: Math.round(performance.now() - started) };
    await this.write(actor, rows, progress);
    return { imported: rows.length, dryRun: false, bySheet, tookMs: Math.round(performance.now() - started) };
  }

  /** Every row in one transaction: CIs 200 a statement, then their addresses, history, one audit entry and the search entries. */
  private async write(actor: Actor, rows: ParsedRow[], progress: Progress): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        const now = Date.now();
        const ids: number[] = [];
        for (const part of chunks(rows, BATCH)) {
          const values = part.map((r) => ({
            customer_id: r.customerId, type_id: r.typeId, code: r.values.code, name: r.values.name, site_id: r.values.siteId, status: r.values.status, criticality: r.values.criticality,
            owner_id: null, owner_name: r.values.ownerName, brand: r.values.brand, model: r.values.model, serial: r.values.serial, ip: r.values.ip, hostname: r.values.hostname,
            attributes: JSON.stringify(r.values.attributes), description: r.values.description, version: 1, created_at: now, updated_at: now, created_by: actor.userId || null, updated_by: actor.userId || null,
          }));
          const inserted = await trx.insertInto('cis').values(values).returning(['id', 'code']).execute();
          const idOf = new Map(inserted.map((x) => [x.code, Number(x.id)]));
          const addresses = part.flatMap((r) => r.addresses.map((ip) => ({ ci_id: idOf.get(r.values.code)!, customer_id: r.customerId, ip })));
          for (const a of chunks(addresses, BATCH)) await trx.insertInto('ci_addresses').values(a).execute();
          await repo.insertHistory(
            trx,
            part.map((r, i) => ({ ci_id: idOf.get(r.values.code)!, at: now, actor_id: actor.userId || null, actor_name: actor.displayName, action: 'created', changes: JSON.stringify({ ...diffCi(null, values[i]), typeId: [null, r.typeId], customerId: [null, r.customerId], import: `${r.sheet}!${r.row}` }) })),
          );
          ids.push(...part.map((r) => idOf.get(r.values.code)!));
          progress({ phase: 'write', done: ids.length, total: rows.length });
          // On PostgreSQL the line goes out now. On SQLite it waits for the commit: yielding inside the
          // transaction would let another request's statements run in it (one connection).
          if (dialectOf(trx) === 'postgres') await yieldToIo();
        }
        const customers = [...new Set(rows.map((r) => r.customerId))];
        await recordAudit(trx, auditActorOf(actor), { action: 'import', entity: 'cis', customerId: customers.length === 1 ? customers[0] : null, after: { imported: ids.length, customers, firstId: Math.min(...ids), lastId: Math.max(...ids) } }, now);
        progress({ phase: 'index', done: ids.length, total: ids.length });
        if (dialectOf(trx) === 'postgres') await yieldToIo();
        await indexCis(trx, ids);
      });
    } catch (err) {
      // A code or serial taken between the check and the write: nothing was imported.
      if ((err as { code?: string }).code === '23505' || /UNIQUE constraint failed/.test((err as Error).message ?? '')) throw AppError.conflict('http.duplicate', { field: 'code', value: '' });
      throw err;
    }
  }

  /** Customers the caller may import for, by code and by name (normalised). */
  private async customersInScope(actor: Actor): Promise<Map<string, number>> {
    let q = this.db.selectFrom('customers').select(['id', 'code', 'name']);
    if (actor.scope.kind === 'customers') q = actor.scope.ids.length ? q.where('id', 'in', actor.scope.ids) : q.where('id', '=', -1);
    const out = new Map<string, number>();
    for (const c of await q.execute()) {
      out.set(norm(c.code), Number(c.id));
      out.set(norm(c.name), Number(c.id));
    }
    return out;
  }

  // ------------------------------------------------------------ template and export

  /** The template: one sheet per type (or the one asked), common columns then the type's attributes, notes on the headers, an example row, and 说明. */
  async template(typeId?: number): Promise<Buffer> {
    const types = [...(await typeMap(this.db)).values()].filter((ty) => ty.disabled !== 1 && (typeId === undefined || Number(ty.id) === typeId));
    if (typeId !== undefined && !types.length) throw AppError.notFound();
    const wb = new ExcelJS.Workbook();
    this.readme(wb);
    for (const ty of types) {
      const ws = this.sheetFor(wb, ty);
      const defs = defsOf(ty);
      const example: Record<string, string> = { code: `${ty.code.toUpperCase().replace(/_/g, '-').slice(0, 10)}-001`, name: `示例${ty.name_zh}`, customer: '', site: '', status: '在用', criticality: '中' };
      ws.addRow([...COMMON.map((c) => example[c.key] ?? ''), ...defs.map((d) => exampleOf(d))]);
    }
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  /** Any filtered list, one sheet per type, in the template's layout (importable again). */
  async export(actor: Actor, q: ExportQuery): Promise<Buffer> {
    const customerId = actor.customerId ?? q.customerId;
    const all: repo.CiRow[] = [];
    if (q.q) {
      const ids = await this.cis.matching(actor, q.q, Math.min(q.limit, 5000), customerId);
      all.push(...(await repo.listCis(this.db, actor.scope, { customerId, siteId: q.siteId, typeId: q.typeId, status: q.status, criticality: q.criticality, ids, limit: q.limit })));
    } else {
      let beforeId: number | undefined;
      while (all.length < q.limit) {
        const page = await repo.listCis(this.db, actor.scope, { customerId, siteId: q.siteId, typeId: q.typeId, status: q.status, criticality: q.criticality, beforeId, limit: Math.min(2000, q.limit - all.length) });
        all.push(...page);
        if (page.length < 2000) break;
        beforeId = Number(page[page.length - 1].id);
      }
    }
    const types = await typeMap(this.db);
    const [customers, sites] = await Promise.all([repo.namesOf(this.db, 'customers', all.map((r) => Number(r.customer_id))), repo.namesOf(this.db, 'sites', all.map((r) => (r.site_id === null ? null : Number(r.site_id))))]);
    const wb = new ExcelJS.Workbook();
    const byType = new Map<number, repo.CiRow[]>();
    for (const r of all) byType.set(Number(r.type_id), [...(byType.get(Number(r.type_id)) ?? []), r]);
    for (const [tid, list] of byType) {
      const ty = types.get(tid);
      if (!ty) continue;
      const ws = this.sheetFor(wb, ty);
      const defs = defsOf(ty);
      for (const r of list.sort((a, b) => a.code.localeCompare(b.code))) {
        const values = JSON.parse(r.attributes) as AttributeValues;
        const common: Record<Common, string> = {
          code: r.code, name: r.name, type: ty.name_zh, customer: customers.get(Number(r.customer_id)) ?? '', site: r.site_id === null ? '' : (sites.get(Number(r.site_id)) ?? ''),
          status: STATUS_ZH[r.status as CiStatus] ?? r.status, criticality: CRITICALITY_ZH[r.criticality as Criticality] ?? String(r.criticality), owner: r.owner_name ?? '', brand: r.brand ?? '', model: r.model ?? '',
          serial: r.serial ?? '', ip: r.ip ?? '', hostname: r.hostname ?? '', description: r.description ?? '',
        };
        ws.addRow([...COMMON.map((c) => common[c.key]), ...defs.map((d) => valueText(d, values[d.key]))]);
      }
    }
    if (!wb.worksheets.length) wb.addWorksheet('配置项').addRow(COMMON.map((c) => c.zh));
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  private sheetFor(wb: ExcelJS.Workbook, ty: repo.TypeRow): ExcelJS.Worksheet {
    const defs = defsOf(ty);
    // Sheet names: at most 31 characters, none of : \ / ? * [ ]
    const ws = wb.addWorksheet(ty.name_zh.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31));
    ws.columns = [...COMMON.map((c) => ({ header: c.zh, width: c.width, style: { numFmt: '@' } })), ...defs.map((d) => ({ header: attributeHeader(d), width: Math.max(10, attributeHeader(d).length * 2 + 2), style: { numFmt: '@' } }))];
    ws.getRow(1).font = { bold: true };
    COMMON.forEach((c, i) => {
      if (c.note) ws.getCell(1, i + 1).note = c.note;
    });
    defs.forEach((d, i) => {
      ws.getCell(1, COMMON.length + i + 1).note = noteOf(d);
    });
    ws.views = [{ state: 'frozen', ySplit: 1, xSplit: 2 }];
    return ws;
  }

  private readme(wb: ExcelJS.Workbook): void {
    const ws = wb.addWorksheet('说明');
    ws.columns = [{ width: 100 }];
    for (const line of [
      '配置项导入说明',
      '1. 每种配置项类型一个工作表，工作表名为类型名称（如“物理服务器”）或代码；也可在一个工作表中增加“类型”列逐行填写类型。',
      '2. 第一行为表头，按表头识别列（中文或英文），顺序不限；“编号”和“名称”必填。',
      '3. “客户”填写客户编号或名称；在系统中导入时已选择客户的，可留空。',
      '4. 属性列的表头为属性名称（可带单位，如“内存（GB）”）；多个 IP 地址用逗号分隔；日期格式 YYYY-MM-DD；是/否。',
      '5. 编号和序列号在全系统唯一。任何一行有错误时不会导入任何数据，并列出每个出错的单元格。',
      '6. 本工作表（说明）不会被导入。',
    ]) ws.addRow([line]);
    ws.getRow(1).font = { bold: true, size: 14 };
  }
}

function noteOf(d: AttributeDef): string {
  const kind: Record<string, string> = { text: '文字', multiline: '多行文字', number: '数字', integer: '整数', boolean: '是 / 否', date: '日期 YYYY-MM-DD', ip: 'IP 地址', ips: 'IP 地址，多个用逗号分隔', choice: '选项' };
  const parts = [`${d.required ? '必填；' : ''}${kind[d.kind]}`];
  if (d.unit) parts.push(`单位 ${d.unit}`);
  if (d.min !== undefined || d.max !== undefined) parts.push(`范围 ${d.min ?? ''}–${d.max ?? ''}`);
  if (d.choices?.length) parts.push(`可选：${d.choices.join(' / ')}`);
  if (d.hint) parts.push(d.hint);
  return parts.join('；');
}

function exampleOf(d: AttributeDef): string {
  switch (d.kind) {
    case 'number':
    case 'integer':
      return String(d.min !== undefined && d.min > 0 ? d.min : 8);
    case 'boolean':
      return '否';
    case 'date':
      return '2026-01-01';
    case 'ip':
      return '10.0.0.10';
    case 'ips':
      return '10.0.1.10, 10.0.2.10';
    case 'choice':
      return d.choices?.[0] ?? '';
    default:
      return '';
  }
}
