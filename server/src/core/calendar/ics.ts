import { formatDate, parseDate } from './tz.js';
import { CalendarError, type CalendarSpec, type IcsCode, type Interval, type SpecialDay } from './types.js';
import { checkIntervals } from './validate.js';

/**
 * iCalendar (RFC 5545) exchange of holidays and make-up working days, the format public holiday
 * feeds and Outlook / Google / Apple calendars use. Only dated days travel; weekly hours do not.
 *
 * Export: one all-day VEVENT per run of consecutive days with the same kind and name, CATEGORIES
 * HOLIDAY or WORKDAY, and our X-YUNWEI-INTERVALS property for part-day entries.
 * Import: all-day VEVENTs (DTSTART;VALUE=DATE, optional DTEND or DURATION in days). An event is a
 * make-up working day when a category is 班 / 补班 / 上班 / 调休 / WORKDAY, or when it has no
 * holiday category and its SUMMARY says 补班, 上班, a lone 班 ("国庆节 班", "（班）"), workday / make-up,
 * or 调休 without 放假 / 假期 / 休假 (so "国庆节放假调休" stays a holiday). Everything else is a holiday.
 */

const MAX_ICS_CHARS = 2_000_000;
const MAX_EVENT_DAYS = 366;
const PRODID = '-//Yunwei//Business calendar//ZH';

function fail(code: IcsCode, params: Record<string, string | number> = {}): never {
  throw new CalendarError(code, params);
}

// ---------------------------------------------------------------------------------------------
// Export

function escapeText(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets (UTF-8), never inside a character. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const cp = ch.codePointAt(0)!;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    // Continuation lines start with a space, which counts towards their 75.
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function icsDate(day: number): string {
  return formatDate(day).replace(/-/g, '');
}

function intervalsText(intervals: Interval[]): string {
  return intervals.map((iv) => `${iv.start}-${iv.end}`).join(',');
}

interface Run {
  kind: 'holiday' | 'workday';
  first: number;
  last: number;
  entry: SpecialDay;
}

function runs(days: SpecialDay[], kind: Run['kind']): Run[] {
  const sorted = [...days].sort((a, b) => a.date.localeCompare(b.date));
  const out: Run[] = [];
  for (const entry of sorted) {
    const day = parseDate(entry.date)!;
    const prev = out[out.length - 1];
    if (prev && !entry.intervals && !prev.entry.intervals && prev.last === day - 1 && prev.entry.name === entry.name) prev.last = day;
    else out.push({ kind, first: day, last: day, entry });
  }
  return out;
}

/** The calendar's holidays and make-up days as an iCalendar text (CRLF lines, folded). */
export function calendarToIcs(spec: CalendarSpec): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${PRODID}`, 'CALSCALE:GREGORIAN', `X-WR-CALNAME:${escapeText(spec.name)}`, `X-WR-TIMEZONE:${spec.timeZone}`];
  const all = [...runs(spec.holidays, 'holiday'), ...runs(spec.workdays, 'workday')].sort((a, b) => a.first - b.first);
  for (const r of all) {
    const summary = r.entry.name ?? (r.kind === 'holiday' ? '休息日' : '补班');
    lines.push(
      'BEGIN:VEVENT',
      `UID:${icsDate(r.first)}-${r.kind}-${escapeText(spec.id)}@yunwei`,
      // A deterministic stamp keeps the export a pure function of the calendar.
      `DTSTAMP:${icsDate(r.first)}T000000Z`,
      `DTSTART;VALUE=DATE:${icsDate(r.first)}`,
      `DTEND;VALUE=DATE:${icsDate(r.last + 1)}`,
      `SUMMARY:${escapeText(summary)}`,
      `CATEGORIES:${r.kind === 'holiday' ? 'HOLIDAY' : 'WORKDAY'}`,
      'TRANSP:TRANSPARENT',
    );
    if (r.entry.intervals) lines.push(`X-YUNWEI-INTERVALS:${intervalsText(r.entry.intervals)}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// Import

interface ContentLine {
  name: string;
  params: Record<string, string>;
  value: string;
  line: number;
}

/** NAME;PARAM=V;PARAM="V:V":VALUE → parts; colons and semicolons inside quotes do not split. */
function parseContentLine(text: string, line: number): ContentLine {
  let quoted = false;
  const cuts: number[] = [];
  let colon = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ';') cuts.push(i);
    else if (!quoted && ch === ':') {
      colon = i;
      break;
    }
  }
  if (colon <= 0) fail('ics.line.invalid', { line });
  const head = [0, ...cuts.map((c) => c + 1)].map((from, k) => text.slice(from, k < cuts.length ? cuts[k] : colon));
  const params: Record<string, string> = {};
  for (const p of head.slice(1)) {
    const eq = p.indexOf('=');
    if (eq <= 0) fail('ics.line.invalid', { line });
    params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"|"$/g, '');
  }
  return { name: head[0].toUpperCase(), params, value: text.slice(colon + 1), line };
}

function unescapeText(v: string): string {
  return v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Splits a TEXT list on unescaped commas. */
function splitList(v: string): string[] {
  return v
    .split(/(?<!\\),/)
    .map((x) => unescapeText(x).trim())
    .filter((x) => x !== '');
}

const WORKDAY_CATEGORY = /^(班|补班|上班|调休|调休上班|workday|working ?day|make-?up( ?day)?)$/i;
const HOLIDAY_CATEGORY = /^(休|假|假期|放假|节假日|休息日|holiday|public ?holiday)$/i;

function isWorkday(summary: string, categories: string[]): boolean {
  for (const c of categories) {
    if (WORKDAY_CATEGORY.test(c)) return true;
    if (HOLIDAY_CATEGORY.test(c)) return false;
  }
  if (/补班|上班|work(ing)? ?day|make-?up/i.test(summary)) return true;
  if (/(^|[\s(（[【])班($|[\s)）\]】])/.test(summary)) return true;
  return /调休/.test(summary) && !/放假|假期|休假/.test(summary);
}

function eventDate(p: ContentLine): number {
  if (/T/i.test(p.value) || (p.params.VALUE !== undefined && p.params.VALUE.toUpperCase() !== 'DATE')) fail('ics.event.notAllDay', { line: p.line });
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(p.value.trim());
  const day = m ? parseDate(`${m[1]}-${m[2]}-${m[3]}`) : null;
  if (day === null) fail('ics.date.invalid', { line: p.line, value: p.value });
  return day;
}

function durationDays(p: ContentLine): number {
  const m = /^P(?:(\d+)W|(\d+)D)$/i.exec(p.value.trim());
  if (!m) fail('ics.duration.invalid', { line: p.line, value: p.value });
  return m[1] !== undefined ? Number(m[1]) * 7 : Number(m[2]);
}

function parseIntervals(p: ContentLine): Interval[] {
  const intervals = p.value.split(',').map((x) => {
    const [start, end] = x.trim().split('-');
    return { start, end };
  });
  let bad = false;
  checkIntervals(intervals, 'intervals', () => {
    bad = true;
  });
  if (bad) fail('ics.intervals.invalid', { line: p.line, value: p.value });
  return intervals;
}

interface ParsedEvent {
  line: number;
  props: ContentLine[];
}

function eventDays(ev: ParsedEvent, holidays: Map<number, SpecialDay>, workdays: Map<number, SpecialDay>): void {
  const get = (name: string) => ev.props.find((p) => p.name === name);
  if (get('RRULE') || get('RDATE')) fail('ics.event.recurring', { line: ev.line });
  if (get('STATUS')?.value.trim().toUpperCase() === 'CANCELLED') return;
  const startProp = get('DTSTART');
  if (!startProp) fail('ics.event.noStart', { line: ev.line });
  const first = eventDate(startProp);
  const endProp = get('DTEND');
  const durationProp = get('DURATION');
  const end = endProp ? eventDate(endProp) : durationProp ? first + durationDays(durationProp) : first + 1;
  if (end <= first) fail('ics.event.endBeforeStart', { line: (endProp ?? durationProp ?? startProp).line });
  if (end - first > MAX_EVENT_DAYS) fail('ics.event.tooLong', { line: ev.line, days: end - first, max: MAX_EVENT_DAYS });
  const summaryProp = get('SUMMARY');
  const summary = summaryProp ? unescapeText(summaryProp.value).trim() : '';
  const categories = ev.props.filter((p) => p.name === 'CATEGORIES').flatMap((p) => splitList(p.value));
  const intervalsProp = get('X-YUNWEI-INTERVALS');
  const intervals = intervalsProp ? parseIntervals(intervalsProp) : undefined;
  const [target, other] = isWorkday(summary, categories) ? [workdays, holidays] : [holidays, workdays];
  for (let day = first; day < end; day++) {
    const date = formatDate(day);
    if (other.has(day)) fail('ics.date.conflict', { line: ev.line, date });
    if (target.has(day)) continue;
    const entry: SpecialDay = { date };
    if (summary !== '') entry.name = summary;
    if (intervals) entry.intervals = intervals.map((iv) => ({ ...iv }));
    target.set(day, entry);
  }
}

/**
 * Reads holidays and make-up working days from an iCalendar text. Throws CalendarError with an
 * `ics.*` code and the line number for malformed input; repeated days keep their first entry.
 */
export function parseIcsHolidays(text: string): { holidays: SpecialDay[]; workdays: SpecialDay[] } {
  if (text.length > MAX_ICS_CHARS) fail('ics.tooLarge', { max: MAX_ICS_CHARS });
  // Unfold: a line starting with a space or tab continues the previous one.
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const logical: Array<{ text: string; line: number }> = [];
  physical.forEach((raw, i) => {
    if ((raw.startsWith(' ') || raw.startsWith('\t')) && logical.length > 0) logical[logical.length - 1].text += raw.slice(1);
    else if (raw.trim() !== '') logical.push({ text: raw, line: i + 1 });
  });
  if (logical.length === 0 || logical[0].text.trim().toUpperCase() !== 'BEGIN:VCALENDAR') fail('ics.notCalendar');

  const holidays = new Map<number, SpecialDay>();
  const workdays = new Map<number, SpecialDay>();
  const stack: string[] = [];
  let event: ParsedEvent | null = null;
  for (const { text: raw, line } of logical) {
    const p = parseContentLine(raw, line);
    if (p.name === 'BEGIN') {
      const component = p.value.trim().toUpperCase();
      stack.push(component);
      // Only events directly inside the calendar count (not, say, alarms nested in them).
      if (component === 'VEVENT' && stack.length === 2) event = { line, props: [] };
    } else if (p.name === 'END') {
      const component = p.value.trim().toUpperCase();
      if (stack.pop() !== component) fail('ics.structure.invalid', { line, component });
      if (component === 'VEVENT' && stack.length === 1 && event) {
        eventDays(event, holidays, workdays);
        event = null;
      }
      if (stack.length === 0 && component !== 'VCALENDAR') fail('ics.structure.invalid', { line, component });
    } else if (stack.length === 0) fail('ics.structure.invalid', { line, component: p.name });
    else if (event && stack.length === 2) event.props.push(p);
  }
  if (stack.length > 0) fail('ics.unterminated', { component: stack[stack.length - 1] });
  const byDay = (m: Map<number, SpecialDay>) => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  return { holidays: byDay(holidays), workdays: byDay(workdays) };
}
