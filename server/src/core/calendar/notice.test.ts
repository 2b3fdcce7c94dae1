import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CN_HOLIDAYS, CN_WORKDAYS } from './holidays-cn.js';
import { festivalsToDays, noticeYear, parseHolidayNotice } from './notice.js';
import { holidayYears } from './years.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const ofYear = <T extends { date: string }>(days: readonly T[], year: number) => days.filter((d) => d.date.startsWith(`${year}-`));

describe('parseHolidayNotice on the real notices', () => {
  // The strongest test: the parser reads the State Council's own text into exactly the schedule
  // we ship (holidays-cn.ts), names included.
  for (const year of [2025, 2026]) {
    it(`reads the ${year} notice into the shipped ${year} schedule`, () => {
      const parsed = parseHolidayNotice(fixture(`notice-${year}.txt`));
      expect(parsed.problems).toEqual([]);
      expect(parsed.year).toBe(year);
      const days = festivalsToDays(parsed.festivals);
      expect(days.holidays).toEqual(ofYear(CN_HOLIDAYS, year));
      expect(days.workdays).toEqual(ofYear(CN_WORKDAYS, year));
    });
  }

  it('gives one row per festival, with the line it came from and the stated count', () => {
    const parsed = parseHolidayNotice(fixture('notice-2025.txt'));
    expect(parsed.festivals.map((f) => [f.key, f.name, f.line, f.off, f.makeUp, f.statedDays, f.noMakeUp])).toEqual([
      ['newYear', '元旦', 6, [{ from: '2025-01-01', to: '2025-01-01' }], [], 1, true],
      ['springFestival', '春节', 7, [{ from: '2025-01-28', to: '2025-02-04' }], ['2025-01-26', '2025-02-08'], 8, false],
      ['qingming', '清明节', 8, [{ from: '2025-04-04', to: '2025-04-06' }], [], 3, false],
      ['labourDay', '劳动节', 9, [{ from: '2025-05-01', to: '2025-05-05' }], ['2025-04-27'], 5, false],
      ['dragonBoat', '端午节', 10, [{ from: '2025-05-31', to: '2025-06-02' }], [], 3, false],
      ['midAutumnNational', '国庆节、中秋节', 11, [{ from: '2025-10-01', to: '2025-10-08' }], ['2025-09-28', '2025-10-11'], 8, false],
    ]);
    // Title, document number, addressees, preamble, closing, signature: prose, reported as skipped.
    expect(parsed.skipped.map((s) => s.line)).toEqual([1, 2, 4, 5, 12, 14, 15]);
  });

  it('takes the year from the title or the first sentence, else the one given', () => {
    expect(noticeYear('国务院办公厅关于2026年部分节假日安排的通知')).toBe(2026);
    expect(noticeYear('经国务院批准，现将2027年元旦、春节……通知如下。')).toBe(2027);
    expect(noticeYear('一、元旦：1月1日放假')).toBeNull();
    const given = parseHolidayNotice('一、元旦：1月1日（周五）放假1天，不调休。', 2027);
    expect(given.year).toBe(2027);
    expect(given.problems).toEqual([]);
    expect(given.festivals[0].off).toEqual([{ from: '2027-01-01', to: '2027-01-01' }]);
    const none = parseHolidayNotice('一、元旦：1月1日放假1天。');
    expect(none.year).toBeNull();
    expect(none.problems.map((p) => p.code)).toEqual(['notice.year.missing']);
  });

  it('reports a notice of another year than the one being entered', () => {
    const parsed = parseHolidayNotice(fixture('notice-2026.txt'), 2027);
    expect(parsed.year).toBe(2026);
    expect(parsed.problems).toEqual([{ line: 1, code: 'notice.year.mismatch', params: { stated: 2026, given: 2027 }, text: '国务院办公厅关于2026年部分节假日安排的通知' }]);
  });
});

describe('parseHolidayNotice, the wording', () => {
  it('reads half-width punctuation, full-width digits, spaces and everything on one line', () => {
    const half = '一、元旦:1月1日(周四)至3日(周六)放假调休,共3天.1月4日(周日)上班. 二、春节:２月１５日（周日）至 23 日（周一）放假调休，共9天。2月14日(周六)、2月28日(周六)上班。';
    const parsed = parseHolidayNotice(half, 2026);
    expect(parsed.problems).toEqual([]);
    expect(parsed.festivals.map((f) => [f.name, f.off, f.makeUp])).toEqual([
      ['元旦', [{ from: '2026-01-01', to: '2026-01-03' }], ['2026-01-04']],
      ['春节', [{ from: '2026-02-15', to: '2026-02-23' }], ['2026-02-14', '2026-02-28']],
    ]);
  });

  it('ranges across a month and across the year end (元旦 from 30 December)', () => {
    // A test fixture in the notices' wording (not an official schedule): 2024-12-30 is a Monday.
    const parsed = parseHolidayNotice('一、元旦：12月30日（周一）至1月1日（周三）放假调休，共3天。12月28日（周六）上班。', 2025);
    expect(parsed.problems).toEqual([]);
    expect(parsed.festivals[0].off).toEqual([{ from: '2024-12-30', to: '2025-01-01' }]);
    expect(parsed.festivals[0].makeUp).toEqual(['2024-12-28']);
    // With the years written out, as in the 2019 notice (国办发明电〔2018〕15号).
    const written = parseHolidayNotice('一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。', 2019);
    expect(written.problems).toEqual([]);
    expect(written.festivals[0].off).toEqual([{ from: '2018-12-30', to: '2019-01-01' }]);
    expect(written.festivals[0].makeUp).toEqual(['2018-12-29']);
    expect(holidayYears({ timeZone: 'Asia/Shanghai', holidays: festivalsToDays(written.festivals).holidays }, Date.UTC(2019, 5, 1)).years).toEqual([2019]);
  });

  it('make-up days separated by 、，和, one without its month, on a line of their own', () => {
    const parsed = parseHolidayNotice('四、劳动节：5月1日至5日放假调休，共5天。\n4月27日（周日）和5月10日、11日上班。', 2025);
    expect(parsed.problems).toEqual([]);
    expect(parsed.festivals[0].makeUp).toEqual(['2025-04-27', '2025-05-10', '2025-05-11']);
  });

  it('checks 共N天, 不调休 and the weekdays', () => {
    const parsed = parseHolidayNotice('一、元旦：1月1日（周四）放假1天，不调休。1月4日（周日）上班。\n二、春节：2月15日（周一）至23日放假调休，共8天。', 2026);
    expect(parsed.problems.map((p) => [p.line, p.code, p.params])).toEqual([
      [1, 'notice.makeUp.contradiction', { festival: '元旦' }],
      [2, 'notice.weekday.mismatch', { date: '2026-02-15', given: '周一', actual: '周日' }],
      [2, 'notice.total.mismatch', { festival: '春节', stated: 8, counted: 9 }],
    ]);
  });

  it('reports what it cannot read, line by line, and never drops a festival line', () => {
    const text = [
      '国务院办公厅关于2026年部分节假日安排的通知',
      '一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。',
      '二、春节：2月15日前后放假，具体另行通知。',
      '三、植树节：3月12日放假1天。',
      '劳动节5月1日起休息五天',
      '五、端午节：6月19日至21日放假，共3天。',
      '六、中秋节：9月31日放假。',
    ].join('\n');
    const parsed = parseHolidayNotice(text);
    expect(parsed.festivals.map((f) => f.key)).toEqual(['newYear', 'springFestival', 'dragonBoat', 'midAutumn']);
    expect(parsed.problems.map((p) => [p.line, p.code])).toEqual([
      [3, 'notice.clause.unparsed'],
      [3, 'notice.clause.unparsed'],
      [3, 'notice.festival.noDays'],
      [4, 'notice.festival.unknown'],
      [5, 'notice.line.unparsed'],
      [7, 'notice.date.invalid'],
      [7, 'notice.festival.noDays'],
    ]);
    expect(parsed.problems[0].text).toBe('2月15日前后放假');
    expect(parsed.problems[4].text).toBe('劳动节5月1日起休息五天');
  });
});

describe('holidayYears', () => {
  const cn = { timeZone: 'Asia/Shanghai', holidays: [...CN_HOLIDAYS] };
  const at = (iso: string) => Date.parse(iso);

  it('warns from 1 November (local) that next year is missing', () => {
    expect(holidayYears(cn, at('2026-10-31T15:59:59Z'))).toEqual({ china: true, years: [2025, 2026], missingYear: null });
    expect(holidayYears(cn, at('2026-10-31T16:00:00Z')).missingYear).toBe(2027); // 1 November 00:00 in Shanghai
    expect(holidayYears(cn, at('2026-12-07T02:00:00Z')).missingYear).toBe(2027);
    expect(holidayYears(cn, at('2027-03-01T02:00:00Z')).missingYear).toBe(2027);
  });

  it('is quiet for calendars without China holidays and once the year is entered', () => {
    expect(holidayYears({ timeZone: 'Asia/Shanghai', holidays: [] }, at('2026-12-07T02:00:00Z'))).toEqual({ china: false, years: [], missingYear: null });
    const with2027 = { ...cn, holidays: [...cn.holidays, { date: '2027-01-01', name: '元旦' }] };
    expect(holidayYears(with2027, at('2026-12-07T02:00:00Z')).missingYear).toBeNull();
  });
});
