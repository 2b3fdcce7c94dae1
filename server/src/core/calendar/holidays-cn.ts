import { festivalsToDays } from './notice.js';
import type { SpecialDay } from './types.js';

/**
 * China's public holidays and make-up working days (调休上班), as announced each November by the
 * General Office of the State Council (国务院办公厅关于 YYYY 年部分节假日安排的通知). This is data:
 * when next year's notice is published, add one entry per festival below (and a test in
 * builtin.test.ts); installations that run ahead of a release enter the year themselves in each
 * calendar's year form, by pasting the notice (notice.ts). Years not listed fall back to the plain Monday–Friday week; CN_HOLIDAY_YEARS
 * tells the UI which years are covered so it can warn before a year runs out.
 */
interface Festival {
  name: string;
  /** First and last day off, inclusive. */
  from: string;
  to: string;
  /** Weekend days worked instead (调休上班). */
  makeUp: string[];
}

const SCHEDULE: Record<number, { notice: string; festivals: Festival[] }> = {
  // 国办发明电〔2024〕12号, 2024-11-12 (first year of the revised 全国年节及纪念日放假办法: 除夕 and 5月2日 added).
  2025: {
    notice: '国办发明电〔2024〕12号',
    festivals: [
      { name: '元旦', from: '2025-01-01', to: '2025-01-01', makeUp: [] },
      { name: '春节', from: '2025-01-28', to: '2025-02-04', makeUp: ['2025-01-26', '2025-02-08'] },
      { name: '清明节', from: '2025-04-04', to: '2025-04-06', makeUp: [] },
      { name: '劳动节', from: '2025-05-01', to: '2025-05-05', makeUp: ['2025-04-27'] },
      { name: '端午节', from: '2025-05-31', to: '2025-06-02', makeUp: [] },
      { name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08', makeUp: ['2025-09-28', '2025-10-11'] },
    ],
  },
  // 国办发明电〔2025〕7号, 2025-11-04.
  2026: {
    notice: '国办发明电〔2025〕7号',
    festivals: [
      { name: '元旦', from: '2026-01-01', to: '2026-01-03', makeUp: ['2026-01-04'] },
      { name: '春节', from: '2026-02-15', to: '2026-02-23', makeUp: ['2026-02-14', '2026-02-28'] },
      { name: '清明节', from: '2026-04-04', to: '2026-04-06', makeUp: [] },
      { name: '劳动节', from: '2026-05-01', to: '2026-05-05', makeUp: ['2026-05-09'] },
      { name: '端午节', from: '2026-06-19', to: '2026-06-21', makeUp: [] },
      { name: '中秋节', from: '2026-09-25', to: '2026-09-27', makeUp: [] },
      { name: '国庆节', from: '2026-10-01', to: '2026-10-07', makeUp: ['2026-09-20', '2026-10-10'] },
    ],
  },
};

/** The years whose official schedule is shipped, ascending. */
export const CN_HOLIDAY_YEARS: readonly number[] = Object.keys(SCHEDULE).map(Number).sort((a, b) => a - b);

/** The State Council notice behind each shipped year. */
export const CN_HOLIDAY_NOTICES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(SCHEDULE).map(([year, s]) => [year, s.notice]),
);

function expand(): { holidays: SpecialDay[]; workdays: SpecialDay[] } {
  return festivalsToDays(CN_HOLIDAY_YEARS.flatMap((year) => SCHEDULE[year].festivals.map((f) => ({ name: f.name, off: [{ from: f.from, to: f.to }], makeUp: f.makeUp }))));
}

const expanded = expand();

/** Every official day off of the shipped years (weekends inside a holiday run included), by date. */
export const CN_HOLIDAYS: readonly SpecialDay[] = expanded.holidays;
/** Every official make-up working day of the shipped years, by date. */
export const CN_WORKDAYS: readonly SpecialDay[] = expanded.workdays;

