import { isIP } from 'node:net';

/**
 * Attributes of configuration items (docs/CMDB.md, "Types and attributes"): each CI type
 * carries a list of attribute definitions (stored as JSON in `ci_types.attributes`), and a CI's
 * `attributes` object is validated against its type's list. Pure: no database, no platform.
 *
 * Problems name the attribute by its key (`attributes.<key>`) and carry its Chinese and English
 * labels as `zh` / `en` so the message names it the way the form does ("“内存”应为数字").
 */

export const ATTRIBUTE_KINDS = ['text', 'multiline', 'number', 'integer', 'boolean', 'date', 'ip', 'ips', 'choice'] as const;
export type AttributeKind = (typeof ATTRIBUTE_KINDS)[number];

export interface AttributeDef {
  /** Identifier in the CI's attributes object: ascii letter first, letters, digits, `_`. Never changes meaning. */
  key: string;
  zh: string;
  en: string;
  kind: AttributeKind;
  required?: boolean;
  /** Shown after a number (GB, 核, U, kVA …). */
  unit?: string;
  /** number / integer bounds (inclusive). */
  min?: number;
  max?: number;
  /** text / multiline limit (default 500 / 5000). */
  maxLength?: number;
  /** choice: the allowed values. */
  choices?: string[];
  /** A line of help shown under the field (and as the template's cell note). */
  hint?: string;
}

export type AttributeValue = string | number | boolean | string[];
export type AttributeValues = Record<string, AttributeValue>;

export interface AttributeProblem {
  /** `attributes.<key>` (or `attributes` for the object itself). */
  field: string;
  code: string;
  params: Record<string, unknown>;
}

export const KEY_RE = /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/;
export const MAX_ATTRIBUTES = 60;
export const MAX_IPS = 64;
const TEXT_MAX = 500;
const MULTILINE_MAX = 5000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCivilDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return +m[1] >= 1900 && d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/**
 * An IP address as stored and searched: IPv4 dotted quad without leading zeros, or IPv6 in
 * lower case; null when the text is not one. `10.1.2.3/24` and `[::1]` are not addresses.
 */
export function normalizeIp(s: string): string | null {
  const v = s.trim();
  const kind = isIP(v);
  if (kind === 4) return v.split('.').every((p) => p === '0' || !p.startsWith('0')) ? v : null;
  if (kind === 6) return v.toLowerCase();
  return null;
}

/** Splits an IP list as people type it: commas, semicolons, whitespace, Chinese commas. */
export function splitIps(s: string): string[] {
  return s.split(/[\s,;，；、]+/).filter(Boolean);
}

const label = (d: AttributeDef) => ({ zh: d.zh, en: d.en });

function problem(d: AttributeDef, code: string, params: Record<string, unknown> = {}): AttributeProblem {
  return { field: `attributes.${d.key}`, code, params: { ...label(d), ...params } };
}

/** Text that is storable on both databases: no NUL, no lone surrogate. */
function badText(s: string): boolean {
  return s.includes('\u0000') || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

const BOOL_TRUE = new Set(['true', '1', '是', 'y', 'yes', '√', '✓', '有']);
const BOOL_FALSE = new Set(['false', '0', '否', 'n', 'no', '×', '无']);

/**
 * One value checked and normalised for its definition. `lenient`: the value came from a
 * spreadsheet cell (text): numbers, booleans and IP lists are read from their text.
 * Returns `undefined` for an empty value (absent), or a problem.
 */
export function checkValue(d: AttributeDef, raw: unknown, lenient = false): { value?: AttributeValue; problem?: AttributeProblem } {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '') || (Array.isArray(raw) && raw.length === 0)) return {};
  switch (d.kind) {
    case 'text':
    case 'multiline': {
      if (typeof raw !== 'string' && !(lenient && (typeof raw === 'number' || typeof raw === 'boolean'))) return { problem: problem(d, 'cmdb.attr.text') };
      const s = String(raw).trim();
      if (badText(s)) return { problem: problem(d, s.includes('\u0000') ? 'cmdb.attr.nul' : 'cmdb.attr.unicode') };
      const max = d.maxLength ?? (d.kind === 'text' ? TEXT_MAX : MULTILINE_MAX);
      if (s.length > max) return { problem: problem(d, 'cmdb.attr.tooLong', { max }) };
      if (d.kind === 'text' && /[\r\n]/.test(s)) return { problem: problem(d, 'cmdb.attr.oneLine') };
      return { value: s };
    }
    case 'number':
    case 'integer': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (lenient && typeof raw === 'string' && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(raw)) n = Number(raw);
      else return { problem: problem(d, d.kind === 'integer' ? 'cmdb.attr.integer' : 'cmdb.attr.number', { unit: d.unit ?? '' }) };
      if (!Number.isFinite(n)) return { problem: problem(d, 'cmdb.attr.number', { unit: d.unit ?? '' }) };
      if (d.kind === 'integer' && !Number.isInteger(n)) return { problem: problem(d, 'cmdb.attr.integer', { unit: d.unit ?? '' }) };
      if (d.min !== undefined && n < d.min) return { problem: problem(d, 'cmdb.attr.min', { min: d.min, unit: d.unit ?? '' }) };
      if (d.max !== undefined && n > d.max) return { problem: problem(d, 'cmdb.attr.max', { max: d.max, unit: d.unit ?? '' }) };
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (lenient && (typeof raw === 'string' || typeof raw === 'number')) {
        const s = String(raw).trim().toLowerCase();
        if (BOOL_TRUE.has(s)) return { value: true };
        if (BOOL_FALSE.has(s)) return { value: false };
      }
      return { problem: problem(d, 'cmdb.attr.boolean') };
    }
    case 'date': {
      if (typeof raw !== 'string' || !isCivilDate(raw.trim())) return { problem: problem(d, 'cmdb.attr.date') };
      return { value: raw.trim() };
    }
    case 'ip': {
      const ip = typeof raw === 'string' ? normalizeIp(raw) : null;
      if (!ip) return { problem: problem(d, 'cmdb.attr.ip', { value: typeof raw === 'string' ? raw.slice(0, 60) : String(raw) }) };
      return { value: ip };
    }
    case 'ips': {
      const list = Array.isArray(raw) ? raw : lenient && typeof raw === 'string' ? splitIps(raw) : null;
      if (!list) return { problem: problem(d, 'cmdb.attr.ips') };
      if (list.length > MAX_IPS) return { problem: problem(d, 'cmdb.attr.tooManyIps', { max: MAX_IPS }) };
      const out: string[] = [];
      for (const item of list) {
        const ip = typeof item === 'string' ? normalizeIp(item) : null;
        if (!ip) return { problem: problem(d, 'cmdb.attr.ip', { value: String(item).slice(0, 60) }) };
        if (!out.includes(ip)) out.push(ip);
      }
      return { value: out };
    }
    case 'choice': {
      const s = typeof raw === 'string' ? raw.trim() : lenient && typeof raw === 'number' ? String(raw) : null;
      if (s === null || !(d.choices ?? []).includes(s)) return { problem: problem(d, 'cmdb.attr.choice', { choices: (d.choices ?? []).join('、') }) };
      return { value: s };
    }
  }
}

/**
 * A CI's attributes checked against its type. Every problem is reported (not only the first).
 * `keep`: keys of attributes the type no longer defines whose stored values are carried over
 * unchanged (docs/CMDB.md: an attribute removed from a type keeps its values on existing CIs).
 */
export function validateAttributes(
  defs: readonly AttributeDef[],
  input: Record<string, unknown> | null | undefined,
  opts: { lenient?: boolean; keep?: AttributeValues } = {},
): { values: AttributeValues; problems: AttributeProblem[] } {
  const values: AttributeValues = {};
  const problems: AttributeProblem[] = [];
  const given = input ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) return { values, problems: [{ field: 'attributes', code: 'cmdb.attr.object', params: {} }] };
  const byKey = new Map(defs.map((d) => [d.key, d]));
  for (const key of Object.keys(given)) {
    if (byKey.has(key)) continue;
    const kept = opts.keep?.[key];
    const v = given[key];
    if (v === null || v === undefined) continue;
    if (kept !== undefined && JSON.stringify(kept) === JSON.stringify(v)) {
      values[key] = kept;
      continue;
    }
    problems.push({ field: `attributes.${key.slice(0, 40)}`, code: 'cmdb.attr.unknown', params: { key: key.slice(0, 40) } });
  }
  for (const d of defs) {
    const r = checkValue(d, given[d.key], opts.lenient);
    if (r.problem) problems.push(r.problem);
    else if (r.value !== undefined) values[d.key] = r.value;
    else if (d.required) problems.push(problem(d, 'cmdb.attr.required'));
  }
  return { values, problems };
}

/** Every address named by a CI: its management address and the values of its ip / ips attributes. */
export function addressesOf(defs: readonly AttributeDef[], ip: string | null, values: AttributeValues): string[] {
  const out = new Set<string>();
  if (ip) out.add(ip);
  for (const d of defs) {
    const v = values[d.key];
    if (d.kind === 'ip' && typeof v === 'string') out.add(v);
    if (d.kind === 'ips' && Array.isArray(v)) for (const x of v) out.add(x);
  }
  return [...out];
}

/** Problems of a type's attribute list itself (what an administrator sends), field `attributes[i].<prop>`. */
export function checkDefinitions(defs: readonly AttributeDef[]): AttributeProblem[] {
  const out: AttributeProblem[] = [];
  const seen = new Set<string>();
  if (defs.length > MAX_ATTRIBUTES) return [{ field: 'attributes', code: 'cmdb.type.tooManyAttributes', params: { max: MAX_ATTRIBUTES } }];
  defs.forEach((d, i) => {
    const at = (prop: string, code: string, params: Record<string, unknown> = {}) => out.push({ field: `attributes[${i}].${prop}`, code, params: { zh: d.zh, en: d.en, key: d.key, ...params } });
    if (!KEY_RE.test(d.key)) at('key', 'cmdb.type.key');
    else if (seen.has(d.key.toLowerCase())) at('key', 'cmdb.type.duplicateKey');
    seen.add(d.key.toLowerCase());
    if (d.kind === 'choice' && !(d.choices && d.choices.length)) at('choices', 'cmdb.type.noChoices');
    if (d.kind !== 'choice' && d.choices && d.choices.length) at('choices', 'cmdb.type.choicesOnlyForChoice');
    if (d.choices && new Set(d.choices).size !== d.choices.length) at('choices', 'cmdb.type.duplicateChoice');
    if (d.min !== undefined && d.max !== undefined && d.min > d.max) at('min', 'cmdb.type.minMax');
    if ((d.min !== undefined || d.max !== undefined) && d.kind !== 'number' && d.kind !== 'integer') at('min', 'cmdb.type.boundsOnlyForNumbers');
  });
  return out;
}

/**
 * Whether a definition change can invalidate stored values: a new or changed rule that a value
 * valid under `before` might break (kind, required, bounds, choices removed, shorter limit).
 * Changing labels, units, hints or adding optional attributes never does.
 */
export function tightens(before: AttributeDef | undefined, after: AttributeDef): boolean {
  if (!before) return !!after.required;
  if (before.kind !== after.kind) return true;
  if (after.required && !before.required) return true;
  if (after.min !== undefined && (before.min === undefined || after.min > before.min)) return true;
  if (after.max !== undefined && (before.max === undefined || after.max < before.max)) return true;
  if (after.maxLength !== undefined && (before.maxLength === undefined || after.maxLength < before.maxLength)) return true;
  if (after.kind === 'choice' && (before.choices ?? []).some((c) => !(after.choices ?? []).includes(c))) return true;
  return false;
}

/** The text of a value as a form, a sheet cell and full-text search show it. */
export function valueText(d: Pick<AttributeDef, 'kind'>, v: AttributeValue | undefined): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? '是' : '否';
  return String(v);
}
