import ExcelJS from 'exceljs';
import { kpiDef } from '../../core/reporting/kpis.js';
import { formatKpi } from '../../core/reporting/format.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import type { MetricResult } from './metrics.service.js';

/**
 * The figures of a metrics answer as an Excel workbook (a chart's "export data"): one row per
 * group and the total, per KPI its value (percent as 96.4, durations in hours, "—" for no
 * value), numerator and denominator; a second sheet with the definitions. Headers in the
 * reader's language (Chinese by default).
 */
export async function metricsWorkbook(result: MetricResult, opts: { kpis: string[]; locale: Locale; periodLabel: string; customers: string }): Promise<Buffer> {
  const { locale } = opts;
  const zh = locale === 'zh-CN';
  const wb = new ExcelJS.Workbook();
  wb.created = new Date(0);
  const ws = wb.addWorksheet(t(locale, 'reporting.xlsx.sheet'));
  ws.addRow([t(locale, 'reporting.xlsx.period'), opts.periodLabel]);
  ws.addRow([t(locale, 'reporting.xlsx.customers'), opts.customers]);
  ws.addRow([]);
  const defs = opts.kpis.map((c) => kpiDef(c)!);
  const unitNote = (u: string) => (u === 'percent' ? '（%）' : u === 'duration_ms' ? (zh ? '（小时）' : ' (h)') : '');
  const header = [t(locale, 'reporting.xlsx.group')];
  for (const d of defs) header.push(`${zh ? d.label.zh : d.label.en}${unitNote(d.unit)}`, `${t(locale, 'reporting.xlsx.numerator')}`, `${t(locale, 'reporting.xlsx.denominator')}`);
  const head = ws.addRow(header);
  head.font = { bold: true };
  const cells = (values: MetricResult['totals']) => {
    const out: (string | number)[] = [];
    for (const d of defs) {
      const v = values[d.code];
      const value = v.value === null ? formatKpi(null, d.unit) : d.unit === 'duration_ms' ? Math.round((v.value / 3_600_000) * 100) / 100 : d.unit === 'count' ? v.value : Math.round(v.value * 10) / 10;
      out.push(value, v.numerator, v.denominator);
    }
    return out;
  };
  for (const r of result.rows) ws.addRow([r.label, ...cells(r.values)]);
  const total = ws.addRow([t(locale, 'reporting.total'), ...cells(result.totals)]);
  total.font = { bold: true };
  ws.getColumn(1).width = 22;
  for (let i = 2; i <= header.length; i++) ws.getColumn(i).width = (i - 2) % 3 === 0 ? 18 : 10;

  const defsSheet = wb.addWorksheet(t(locale, 'reporting.xlsx.definitions'));
  defsSheet.addRow([t(locale, 'reporting.xlsx.code'), t(locale, 'reporting.xlsx.kpi'), t(locale, 'reporting.xlsx.unit'), t(locale, 'reporting.xlsx.numerator'), t(locale, 'reporting.xlsx.denominator'), t(locale, 'reporting.xlsx.target')]).font = { bold: true };
  for (const d of defs) {
    const pick = (x: { zh: string; en: string } | null) => (x === null ? '' : zh ? x.zh : x.en);
    const target = d.target ? [d.target.min !== undefined ? `≥ ${formatKpi(d.target.min, d.unit, locale)}` : '', d.target.max !== undefined ? `≤ ${formatKpi(d.target.max, d.unit, locale)}` : ''].filter(Boolean).join('，') : '';
    defsSheet.addRow([d.code, pick(d.label), d.unit, pick(d.numerator), pick(d.denominator), target]);
  }
  defsSheet.getColumn(1).width = 28;
  defsSheet.getColumn(2).width = 20;
  defsSheet.getColumn(4).width = 50;
  defsSheet.getColumn(5).width = 50;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
