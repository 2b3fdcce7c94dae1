import { useMemo } from 'react';
import dayjs from 'dayjs';
import { DatePicker, Flex, Select } from 'antd';
import { useI18n, type MessageKey } from '../../i18n';
import { useUrlFilters } from '../../components/KeysetList';
import { PERIOD_PRESETS, presetPeriod, type Period, type PeriodPreset } from './reportingShared';

const KEYS = ['period', 'from', 'to', 'customerId'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The dashboards' filters, kept in the URL (a link shows the same figures): a period preset or
 * a custom range of dates, and the customer.
 */
export function useReportFilters(defaultPreset: PeriodPreset = 'last12') {
  const filters = useUrlFilters(KEYS);
  const v = filters.values;
  const preset = (PERIOD_PRESETS as string[]).includes(v.period) ? (v.period as PeriodPreset) : defaultPreset;
  const period = useMemo<Period>(() => {
    if (preset === 'custom' && DAY.test(v.from) && DAY.test(v.to) && v.from <= v.to) return { from: v.from, to: v.to };
    return presetPeriod(preset === 'custom' ? 'thisMonth' : preset);
  }, [preset, v.from, v.to]);
  const customerId = /^\d+$/.test(v.customerId) ? Number(v.customerId) : null;
  return {
    preset,
    period,
    customerId,
    setPreset: (p: PeriodPreset) =>
      filters.set(p === 'custom' ? { period: p, from: period.from, to: period.to } : { period: p, from: null, to: null }),
    setRange: (from: string, to: string) => filters.set({ period: 'custom', from, to }),
    setCustomer: (id: number | null) => filters.set({ customerId: id ? String(id) : null }),
  };
}

export type ReportFilters = ReturnType<typeof useReportFilters>;

export function PeriodFilter({ filters }: { filters: ReportFilters }) {
  const { t, locale } = useI18n();
  return (
    <Flex gap={8} wrap align="center">
      <Select
        value={filters.preset}
        onChange={(p: PeriodPreset) => filters.setPreset(p)}
        options={PERIOD_PRESETS.map((p) => ({ value: p, label: t(`rep.period.${p}` as MessageKey) }))}
        style={{ width: locale === 'zh-CN' ? 120 : 160 }}
        aria-label={t('rep.period')}
        data-testid="rep-period"
      />
      <DatePicker.RangePicker
        value={[dayjs(filters.period.from), dayjs(filters.period.to)]}
        allowClear={false}
        disabledDate={(d) => d.isAfter(dayjs(), 'day')}
        onChange={(r) => r?.[0] && r[1] && filters.setRange(r[0].format('YYYY-MM-DD'), r[1].format('YYYY-MM-DD'))}
        style={{ maxWidth: '100%' }}
        data-testid="rep-range"
      />
    </Flex>
  );
}
