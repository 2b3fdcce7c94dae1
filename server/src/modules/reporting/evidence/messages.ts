import { registerMessages } from '../../../platform/i18n/index.js';

/** Messages of the evidence pack (words per shared/design/GLOSSARY.md). */
registerMessages({
  'evidence.date.invalid': { zh: '{field}不是有效日期（格式 YYYY-MM-DD，例如 2026-06-30）', en: '{field} is not a valid date (YYYY-MM-DD, e.g. 2026-06-30)' },
  'evidence.period.reversed': { zh: '{field}不能早于开始日期 {from}', en: '{field} cannot be before the start date {from}' },
  'evidence.period.notEnded': {
    zh: '{field} {to} 的期间尚未结束：证据包只导出已结束的期间，结束日期最晚为 {latest}（客户所在时区 {timeZone} 的昨天）',
    en: '{field} {to}: the period has not ended; an evidence pack covers ended periods only, ending on {latest} at the latest (yesterday in the customer\'s zone {timeZone})',
  },
  'evidence.period.tooLong': { zh: '期间不能超过 {max} 天（{from} 至 {to} 共 {days} 天）', en: 'The period can be at most {max} days ({from} to {to} is {days} days)' },
  'evidence.customer.unknown': { zh: '客户“{customer}”不存在（请填写客户编号或 ID）', en: 'There is no customer "{customer}" (give its code or id)' },
  'evidence.notReady': { zh: '证据包尚未生成完成（当前状态：{state}）', en: 'The evidence pack is not ready (state: {state})' },
  'evidence.notCancellable': { zh: '该导出已结束，不能取消', en: 'This export has finished and can no longer be cancelled' },
  'evidence.cancelled': { zh: '导出已取消', en: 'The export was cancelled' },
  'evidence.out.exists': { zh: '输出文件 {file} 已存在（加 --force 覆盖）', en: 'The output file {file} exists (add --force to overwrite it)' },
});
