import ExcelJS from 'exceljs';
import { z } from 'zod';
import { AppError, zodIssuesToProblems, type FieldProblem } from '../../platform/http/errors.js';
import { optionalText, text } from '../../platform/http/zod.js';
import type { ContactValues } from './repo.js';
import { email, phone } from './schema.js';

/**
 * Contacts from an .xlsx sheet (the way customers hand over their contact lists). The first
 * non-empty row is the header; columns are found by their header, in Chinese or English, in
 * any order; other columns are ignored. Every row is checked before anything is written.
 */

export const MAX_IMPORT_ROWS = 5000;
/** Guards memory against a small file that inflates hugely (a "zip bomb"). */
const MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;
/** A sheet with thousands of bad rows would otherwise produce an unreadable error list. */
const MAX_REPORTED_PROBLEMS = 200;

type Field = 'name' | 'phone' | 'mobile' | 'email' | 'title' | 'site' | 'isVip' | 'notes';

const HEADERS: Record<string, Field> = {
  姓名: 'name',
  name: 'name',
  电话: 'phone',
  phone: 'phone',
  手机: 'mobile',
  mobile: 'mobile',
  邮箱: 'email',
  email: 'email',
  职务: 'title',
  title: 'title',
  服务地点: 'site',
  site: 'site',
  vip: 'isVip',
  备注: 'notes',
  notes: 'notes',
};

/** The template's columns, in order, with an example row. */
const TEMPLATE: Array<{ header: string; width: number; example: string; text?: boolean; note?: string }> = [
  { header: '姓名', width: 12, example: '张伟', note: '必填' },
  { header: '电话', width: 18, example: '010-8888 6666', text: true },
  { header: '手机', width: 16, example: '13800138000', text: true },
  { header: '邮箱', width: 26, example: 'zhangwei@example.com' },
  { header: '职务', width: 16, example: '信息中心主任' },
  { header: '服务地点', width: 16, example: '总部机房', note: '须与系统中该客户的服务地点名称一致，可留空' },
  { header: 'VIP', width: 8, example: '是', note: '是 / 否' },
];

export interface SheetRow {
  /** The Excel row number, as the user sees it. */
  row: number;
  values: Partial<Record<Field, string>>;
  /** Cells that hold something other than a value (e.g. #N/A). */
  unreadable: Field[];
}

export interface ContactSheet {
  /** The header text of each recognised column, for error messages. */
  columns: Map<Field, string>;
  rows: SheetRow[];
}

function fileError(code: string, params: Record<string, unknown> = {}): AppError {
  return AppError.field('file', code, params);
}

/**
 * Sum of the uncompressed sizes in a zip's central directory, or null when the central
 * directory cannot be read (a truncated or damaged file).
 */
function zipUncompressedSize(buf: Buffer): number | null {
  const EOCD = 0x06054b50;
  const CENTRAL = 0x02014b50;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) !== EOCD) continue;
    const entries = buf.readUInt16LE(i + 10);
    const offset = buf.readUInt32LE(i + 16);
    let p = offset;
    let total = 0;
    for (let e = 0; e < entries; e++) {
      if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) return null;
      const size = buf.readUInt32LE(p + 24);
      // 0xFFFFFFFF means a ZIP64 size: far beyond any contact list.
      total += size === 0xffffffff ? Number.POSITIVE_INFINITY : size;
      p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    }
    return total;
  }
  return null;
}

/** The text of a cell as the user sees it ('' when blank); undefined for a cell with no usable value. */
export function cellText(value: ExcelJS.CellValue): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('hyperlink' in value) return cellText(value.text as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result as ExcelJS.CellValue);
  return undefined;
}

/**
 * Opens an uploaded .xlsx (also for the CMDB's import, modules/cmdb/import.ts): what is not one,
 * a damaged file and one that would inflate beyond the memory guard are errors on `file`.
 */
export async function openWorkbook(buf: Buffer): Promise<ExcelJS.Workbook> {
  // xlsx is a zip ("PK\3\4"); .xls (OLE2), .csv and the rest are refused by name.
  if (buf.length < 4 || buf.readUInt32LE(0) !== 0x04034b50) throw fileError('org.import.notXlsx');
  const inflated = zipUncompressedSize(buf);
  if (inflated === null) throw fileError('org.import.corrupt');
  if (inflated > MAX_UNCOMPRESSED_BYTES) throw fileError('org.import.tooLarge', { limit: `${MAX_UNCOMPRESSED_BYTES / 1024 / 1024} MB` });

  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its input as its own Buffer declaration; a Node Buffer is what it reads.
    await workbook.xlsx.load(buf as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  } catch {
    throw fileError('org.import.corrupt');
  }
  return workbook;
}

/** Reads the first worksheet of an .xlsx file; file-level problems are errors on `file`. */
export async function readContactSheet(buf: Buffer): Promise<ContactSheet> {
  const workbook = await openWorkbook(buf);
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.actualRowCount === 0) throw fileError('org.import.empty');
  // Header row + data rows; counted before reading any cell so a huge sheet is refused quickly.
  if (sheet.actualRowCount - 1 > MAX_IMPORT_ROWS) throw fileError('org.import.tooManyRows', { count: sheet.actualRowCount - 1, max: MAX_IMPORT_ROWS });

  const sheetRows: ExcelJS.Row[] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => sheetRows.push(row));
  const [header, ...data] = sheetRows;

  const columns = new Map<Field, string>();
  const byIndex = new Map<number, Field>();
  header.eachCell({ includeEmpty: false }, (cell, col) => {
    const label = (cellText(cell.value) ?? '').trim();
    const field = HEADERS[label.replace(/\*$/, '').trim().toLowerCase()];
    if (!field) return;
    if (columns.has(field)) throw fileError('org.import.duplicateHeader', { column: label });
    columns.set(field, label);
    byIndex.set(col, field);
  });
  if (!columns.has('name')) throw fileError('org.import.noHeader');

  const rows: SheetRow[] = [];
  for (const row of data) {
    const values: SheetRow['values'] = {};
    const unreadable: Field[] = [];
    for (const [col, field] of byIndex) {
      const v = cellText(row.getCell(col).value);
      if (v === undefined) unreadable.push(field);
      else values[field] = v;
    }
    // A row whose recognised cells are all blank (e.g. only a remark in an extra column) is not data.
    if (unreadable.length || Object.values(values).some((v) => v.trim() !== '')) rows.push({ row: row.number, values, unreadable });
  }
  if (!rows.length) throw fileError('org.import.noRows');
  return { columns, rows };
}

const VIP_YES = new Set(['是', 'y', 'yes', 'true', '1', 'vip', '√', '✓']);
const VIP_NO = new Set(['否', 'n', 'no', 'false', '0', '']);
const vipFlag = z
  .string()
  .nullish()
  .transform((s) => (s ?? '').trim().toLowerCase())
  .refine((s) => VIP_YES.has(s) || VIP_NO.has(s), { params: { code: 'org.import.vip' } })
  .transform((s) => VIP_YES.has(s));

/** One sheet row, with the same rules as the contact form. */
const rowSchema = z.object({
  name: text(100),
  phone,
  mobile: phone,
  email,
  title: optionalText(100),
  site: optionalText(100),
  isVip: vipFlag,
  notes: optionalText(2000),
});

/**
 * Checks every row and resolves site names; returns the contacts to insert, or the problems
 * (field `rows[<row>].<field>`, with the row number and column header) if any row is bad.
 */
export function validateContactRows(sheet: ContactSheet, sitesByName: Map<string, number[]>): { contacts: ContactValues[]; problems: FieldProblem[] } {
  const contacts: ContactValues[] = [];
  const problems: FieldProblem[] = [];
  const at = (row: number, field: Field) => ({ field: `rows[${row}].${field}`, row, column: sheet.columns.get(field) ?? field });
  for (const r of sheet.rows) {
    for (const field of r.unreadable) problems.push({ ...at(r.row, field), code: 'org.import.cell' });
    const parsed = rowSchema.safeParse(r.values);
    if (!parsed.success) {
      for (const p of zodIssuesToProblems(parsed.error.issues)) {
        const field = p.field as Field;
        if (!r.unreadable.includes(field)) problems.push({ ...p, ...at(r.row, field) });
      }
      continue;
    }
    const v = parsed.data;
    let siteId: number | null = null;
    if (v.site !== null) {
      const ids = sitesByName.get(v.site) ?? [];
      if (ids.length !== 1) {
        problems.push({ ...at(r.row, 'site'), code: ids.length ? 'org.import.siteAmbiguous' : 'org.import.siteUnknown', params: { value: v.site } });
        continue;
      }
      siteId = ids[0];
    }
    contacts.push({ name: v.name, siteId, phone: v.phone, mobile: v.mobile, email: v.email, title: v.title, isVip: v.isVip, notes: v.notes });
  }
  return { contacts, problems: problems.slice(0, MAX_REPORTED_PROBLEMS) };
}

/** The import template: the Chinese headers, one example row, phone columns as text. */
export async function contactsTemplate(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('联系人');
  sheet.columns = TEMPLATE.map((c) => ({ header: c.header, width: c.width, ...(c.text ? { style: { numFmt: '@' } } : {}) }));
  sheet.getRow(1).font = { bold: true };
  TEMPLATE.forEach((c, i) => {
    if (c.note) sheet.getCell(1, i + 1).note = c.note;
  });
  sheet.addRow(TEMPLATE.map((c) => c.example));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
