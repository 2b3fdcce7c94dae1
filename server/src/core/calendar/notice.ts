import { formatDate, isoWeekday, parseDate } from './tz.js';
import type { SpecialDay } from './types.js';

/**
 * The State Council's yearly holiday notice (国务院办公厅关于 YYYY 年部分节假日安排的通知) as
 * pasted by an admin, read into one entry per festival: the days off (one or more date ranges)
 * and the make-up working days (调休上班). Pure: no clock, no database.
 *
 * What it reads, sentence by sentence inside each item "一、元旦：…":
 * - `1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休` — a range; the end may omit
 *   the month (`10月1日至8日`), may be in the next month or the next year (`12月30日至1月1日`);
 *   `1月1日（周三）放假1天` — one day;
 * - `共8天` — the count, checked against the ranges;
 * - `1月26日（周日）、2月8日（周六）上班` — make-up days, separated by 、 (or ，和 及);
 * - `不调休` — no make-up day.
 * Full-width and half-width punctuation and digits, spaces and line breaks anywhere. A weekday
 * in the parentheses (周三, 星期六) is checked against the date, which catches a wrong year.
 * The year comes from the notice itself (关于2026年…, 现将2026年…) or is given; a December date
 * of 元旦 without a year belongs to the year before.
 *
 * Nothing is dropped silently: every line the parser does not use is returned, as a problem when
 * it carries dates or holiday words (放假, 上班, 调休), else as `skipped` prose (title, preamble,
 * closing paragraph, signature).
 */

/** The festivals of the schedule; `midAutumnNational` is 中秋节 and 国庆节 in one run (2015, 2017, 2020, 2023, 2025). */
export const FESTIVALS = ['newYear', 'springFestival', 'qingming', 'labourDay', 'dragonBoat', 'midAutumn', 'national', 'midAutumnNational'] as const;
export type FestivalKey = (typeof FESTIVALS)[number];

/** The Chinese name of each festival as the notices write it. */
export const FESTIVAL_NAMES: Record<FestivalKey, string> = {
  newYear: '元旦',
  springFestival: '春节',
  qingming: '清明节',
  labourDay: '劳动节',
  dragonBoat: '端午节',
  midAutumn: '中秋节',
  national: '国庆节',
  midAutumnNational: '国庆节、中秋节',
};

export interface DateRange {
  /** First day off, "YYYY-MM-DD". */
  from: string;
  /** Last day off, inclusive. */
  to: string;
}

/** One festival of a year's schedule: what the year form shows as a row. */
export interface FestivalSchedule {
  key: FestivalKey;
  /** As written in the notice ("国庆节、中秋节"), else the canonical name. */
  name: string;
  off: DateRange[];
  /** Make-up working days (调休上班), ascending. */
  makeUp: string[];
}

export type NoticeCode =
  | 'notice.year.missing'
  | 'notice.year.mismatch'
  | 'notice.line.unparsed'
  | 'notice.clause.unparsed'
  | 'notice.festival.unknown'
  | 'notice.festival.duplicate'
  | 'notice.festival.noDays'
  | 'notice.date.noMonth'
  | 'notice.date.invalid'
  | 'notice.range.backwards'
  | 'notice.weekday.mismatch'
  | 'notice.total.mismatch'
  | 'notice.makeUp.contradiction'
  | 'notice.makeUp.inHoliday';

/** Something in the text the parser could not use or that does not add up, with its line (1-based). */
export interface NoticeProblem {
  line: number;
  code: NoticeCode;
  params: Record<string, string | number>;
  /** The line (or the part of it) concerned, as pasted. */
  text: string;
}

export interface ParsedFestival extends FestivalSchedule {
  /** The line of the notice it was read from. */
  line: number;
  /** "共N天" / "放假N天" as stated, when stated. */
  statedDays: number | null;
  /** The notice says 不调休. */
  noMakeUp: boolean;
}

export interface ParsedNotice {
  /** The year of the schedule: from the notice's text, else the one given; null when neither says. */
  year: number | null;
  festivals: ParsedFestival[];
  problems: NoticeProblem[];
  /** Lines without dates or holiday words that were not used (title, preamble, closing, signature). */
  skipped: Array<{ line: number; text: string }>;
}

const FULL_WIDTH: Record<string, string> = {
  '（': '(',
  '）': ')',
  '：': ':',
  '，': ',',
  '。': '.',
  '．': '.',
  '；': ';',
  '～': '~',
  '－': '-',
  '—': '-',
  '–': '-',
  '〔': '[',
  '〕': ']',
  '【': '[',
  '】': ']',
  '［': '[',
  '］': ']',
};

/** Half-width punctuation and digits, no spaces; line breaks kept. */
export function normalizeNoticeText(s: string): string {
  return s
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[（）：，。．；～－—–〔〕【】［］]/g, (c) => FULL_WIDTH[c])
    .replace(/[ \t\u00a0\u3000\u200b\ufeff]+/g, '');
}

const FESTIVAL_WORD = '元旦|春节|清明节?|劳动节|五一|端午节?|中秋节?|国庆节?';
const ITEM_RE = /([一二三四五六七八九十]{1,3})[、.]([^:\n]{1,24}?):/g;
const KNOWN_NAME_RE = new RegExp(`^(?:${FESTIVAL_WORD})(?:[、和与及](?:${FESTIVAL_WORD}))*$`);
const DATE_RE = /(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^)]*)\))?/g;
const WEEKDAY_RE = /(?:周|星期|礼拜)([一二三四五六日天])/;
const WEEKDAYS = '一二三四五六日';
const HOLIDAY_WORDS = /放假|上班|调休|补班|\d{1,2}月\d{1,2}日/;
/** A line with a date in it (a line without one is prose: title, preamble, closing). */
const DATED = /\d{1,2}月\d{1,2}日/;
/** The signature's date under the notice ("2025年11月4日"). */
const SIGNATURE_DATE = /^\d{4}年\d{1,2}月\d{1,2}日$/;
const SEPARATORS = /[、,和及与]/g;

function festivalKey(name: string): FestivalKey | null {
  const has = (re: RegExp) => re.test(name);
  if (has(/国庆/) && has(/中秋/)) return 'midAutumnNational';
  if (has(/元旦/)) return 'newYear';
  if (has(/春节/)) return 'springFestival';
  if (has(/清明/)) return 'qingming';
  if (has(/劳动|五一/)) return 'labourDay';
  if (has(/端午/)) return 'dragonBoat';
  if (has(/中秋/)) return 'midAutumn';
  if (has(/国庆/)) return 'national';
  return null;
}

/** The year a notice is for, from its title or first sentence. */
export function noticeYear(text: string): number | null {
  const s = normalizeNoticeText(text);
  const m = /关于(\d{4})年(?:部分)?节假日/.exec(s) ?? /现将(\d{4})年/.exec(s) ?? /(\d{4})年(?:部分)?节假日安排/.exec(s);
  return m ? Number(m[1]) : null;
}

interface DateToken {
  year: number | null;
  month: number | null;
  day: number;
  weekday: number | null;
  raw: string;
}

function token(m: RegExpExecArray): DateToken {
  const wd = m[4] ? WEEKDAY_RE.exec(m[4]) : null;
  const w = wd ? (wd[1] === '天' ? 7 : WEEKDAYS.indexOf(wd[1]) + 1) : null;
  return { year: m[1] ? Number(m[1]) : null, month: m[2] ? Number(m[2]) : null, day: Number(m[3]), weekday: w, raw: m[0] };
}

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** Reads one festival item's body (after "元旦:") of line `line`. */
function parseItem(body: string, key: FestivalKey, year: number, line: number, problems: NoticeProblem[]): Omit<ParsedFestival, 'key' | 'name' | 'line'> {
  const tokens: DateToken[] = [];
  const marked = body.replace(DATE_RE, (...args) => {
    tokens.push(token(args as unknown as RegExpExecArray));
    return `§${tokens.length - 1}§`;
  });
  const restore = (s: string) => s.replace(/§(\d+)§/g, (_, i: string) => tokens[Number(i)].raw);
  const problem = (code: NoticeCode, params: Record<string, string | number>, text: string) => problems.push({ line, code, params, text });

  /** A token as a day number; month (and year) default to `prev`'s, 元旦's December to the year before. */
  const resolve = (t: DateToken, prev: { year: number; month: number } | null): { day: number; year: number; month: number } | null => {
    const month = t.month ?? prev?.month ?? null;
    if (month === null) {
      problem('notice.date.noMonth', { date: t.raw }, t.raw);
      return null;
    }
    const y = t.year ?? (prev ? (month < prev.month ? prev.year + 1 : prev.year) : key === 'newYear' && month === 12 ? year - 1 : year);
    const day = parseDate(`${y}-${String(month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`);
    if (day === null) {
      problem('notice.date.invalid', { date: t.raw }, t.raw);
      return null;
    }
    if (t.weekday !== null && isoWeekday(day) !== t.weekday) {
      problem('notice.weekday.mismatch', { date: formatDate(day), given: WEEKDAY_NAMES[t.weekday], actual: WEEKDAY_NAMES[isoWeekday(day)] }, t.raw);
    }
    return { day, year: y, month };
  };

  const off: Array<{ from: number; to: number }> = [];
  const makeUp: number[] = [];
  let statedDays: number | null = null;
  let noMakeUp = false;
  for (const sentence of marked.split(/[.;\n]/)) {
    if (!sentence.replace(/[,、]/g, '')) continue;
    // Make-up days: "§0§、§1§上班" (the whole sentence).
    const work = /^(.*?)(?:上班|补班)$/.exec(sentence.replace(/,$/, ''));
    if (work && /^(?:§\d+§[、,和及与]?)+$/.test(work[1])) {
      let prev: { year: number; month: number } | null = null;
      for (const i of work[1].replace(SEPARATORS, '').match(/§(\d+)§/g) ?? []) {
        const t = tokens[Number(i.slice(1, -1))];
        // A make-up day without a month takes the previous one's; each list item is otherwise independent.
        const r = resolve(t, t.month === null ? prev : null);
        if (r) {
          makeUp.push(r.day);
          prev = { year: r.year, month: r.month };
        }
      }
      continue;
    }
    for (const clause of sentence.split(',')) {
      if (!clause) continue;
      const range = /^§(\d+)§(?:(?:至|到|-|~)§(\d+)§)?放假(?:调休)?(?:(\d+)天)?$/.exec(clause);
      if (range) {
        const a = resolve(tokens[Number(range[1])], null);
        const b = range[2] !== undefined ? resolve(tokens[Number(range[2])], a && { year: a.year, month: a.month }) : a;
        if (a && b) {
          if (b.day < a.day) problem('notice.range.backwards', { from: formatDate(a.day), to: formatDate(b.day) }, restore(clause));
          else off.push({ from: a.day, to: b.day });
        }
        if (range[3]) statedDays = (statedDays ?? 0) + Number(range[3]);
        continue;
      }
      const total = /^共(\d+)天$/.exec(clause);
      if (total) {
        statedDays = Number(total[1]);
        continue;
      }
      if (/^不调休$/.test(clause)) {
        noMakeUp = true;
        continue;
      }
      problem('notice.clause.unparsed', { text: restore(clause) }, restore(clause));
    }
  }

  const offDays = off.reduce((n, r) => n + r.to - r.from + 1, 0);
  const name = FESTIVAL_NAMES[key];
  if (off.length === 0) problem('notice.festival.noDays', { festival: name }, restore(body));
  else if (statedDays !== null && statedDays !== offDays) problem('notice.total.mismatch', { festival: name, stated: statedDays, counted: offDays }, restore(body));
  if (noMakeUp && makeUp.length) problem('notice.makeUp.contradiction', { festival: name }, restore(body));
  for (const d of makeUp) if (off.some((r) => d >= r.from && d <= r.to)) problem('notice.makeUp.inHoliday', { date: formatDate(d) }, restore(body));
  return {
    off: off.sort((a, b) => a.from - b.from).map((r) => ({ from: formatDate(r.from), to: formatDate(r.to) })),
    makeUp: [...new Set(makeUp)].sort((a, b) => a - b).map(formatDate),
    statedDays,
    noMakeUp,
  };
}

/**
 * Parses a pasted notice. `year` is used when the text does not say which year it is for; when
 * both say and disagree, the text's year is used and `notice.year.mismatch` reported.
 */
export function parseHolidayNotice(text: string, year?: number): ParsedNotice {
  const problems: NoticeProblem[] = [];
  const skipped: ParsedNotice['skipped'] = [];
  const festivals: ParsedFestival[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  const stated = noticeYear(text);
  const y = stated ?? year ?? null;
  if (stated !== null && year !== undefined && stated !== year) {
    const line = lines.findIndex((l) => normalizeNoticeText(l).includes(`${stated}年`)) + 1;
    problems.push({ line, code: 'notice.year.mismatch', params: { stated, given: year }, text: lines[line - 1]?.trim() ?? '' });
  }
  if (y === null) {
    problems.push({ line: 0, code: 'notice.year.missing', params: {}, text: '' });
    return { year: null, festivals, problems, skipped };
  }
  let current: ParsedFestival | null = null;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = normalizeNoticeText(raw);
    if (!s) return;
    const items = [...s.matchAll(ITEM_RE)].filter((m) => festivalKey(m[2]) !== null || HOLIDAY_WORDS.test(s.slice(m.index + m[0].length)));
    if (items.length === 0) {
      const dated = DATED.test(s) && !SIGNATURE_DATE.test(s);
      // A sentence of the previous festival continued on its own line ("1月26日（周日）上班。").
      if (current && dated) {
        const before = problems.length;
        const more = parseItem(s, current.key, y, line, problems);
        if (more.off.length + more.makeUp.length > 0) {
          current.off.push(...more.off);
          current.makeUp = [...new Set([...current.makeUp, ...more.makeUp])].sort();
          current.statedDays = more.statedDays ?? current.statedDays;
          // The continuation has no days off of its own: that is not a problem of the festival.
          for (let k = problems.length - 1; k >= before; k--) if (problems[k].code === 'notice.festival.noDays') problems.splice(k, 1);
          return;
        }
        problems.splice(before);
      }
      current = null;
      if (dated) problems.push({ line, code: 'notice.line.unparsed', params: {}, text: raw.trim() });
      else skipped.push({ line, text: raw.trim() });
      return;
    }
    const lead = s.slice(0, items[0].index);
    if (lead && DATED.test(lead)) problems.push({ line, code: 'notice.line.unparsed', params: {}, text: lead });
    else if (lead) skipped.push({ line, text: lead });
    items.forEach((m, k) => {
      const end = k + 1 < items.length ? items[k + 1].index : s.length;
      const body = s.slice(m.index + m[0].length, end);
      const name = m[2];
      const key = KNOWN_NAME_RE.test(name) ? festivalKey(name) : null;
      if (!key) {
        problems.push({ line, code: 'notice.festival.unknown', params: { name }, text: `${m[0]}${body}` });
        current = null;
        return;
      }
      if (festivals.some((f) => f.key === key)) problems.push({ line, code: 'notice.festival.duplicate', params: { festival: name }, text: `${m[0]}${body}` });
      const parsed = parseItem(body, key, y, line, problems);
      const festival: ParsedFestival = { key, name: name.replace(/[和与及]/g, '、'), line, ...parsed };
      festivals.push(festival);
      current = festival;
    });
  });
  return { year: y, festivals, problems, skipped };
}

/**
 * The holidays and make-up days of festivals, one entry per date: each day off named after its
 * festival, each make-up day "<festival>调休上班" (the shape of the shipped schedule).
 */
export function festivalsToDays(festivals: ReadonlyArray<Pick<FestivalSchedule, 'name' | 'off' | 'makeUp'>>): { holidays: SpecialDay[]; workdays: SpecialDay[] } {
  const holidays: SpecialDay[] = [];
  const workdays: SpecialDay[] = [];
  for (const f of festivals) {
    for (const r of f.off) {
      const last = parseDate(r.to);
      const first = parseDate(r.from);
      if (first === null || last === null) continue;
      for (let d = first; d <= last; d++) holidays.push({ date: formatDate(d), name: f.name });
    }
    for (const date of f.makeUp) workdays.push({ date, name: `${f.name}调休上班` });
  }
  const byDate = (a: SpecialDay, b: SpecialDay) => a.date.localeCompare(b.date);
  return { holidays: holidays.sort(byDate), workdays: workdays.sort(byDate) };
}
