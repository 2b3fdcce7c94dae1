import { useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { Button, DatePicker, Flex, Skeleton, Tooltip, Typography } from 'antd';
import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { api } from '../../../api/client';
import type { CalendarMonth, DayKind } from '../../../api/types';
import { useI18n, type MessageKey } from '../../../i18n';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { hhmm } from '../../../lib/zoned';

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

export const DAY_STYLE: Record<DayKind, { background: string; border: string; color?: string }> = {
  working: { background: '#ffffff', border: '#d9d9d9' },
  off: { background: '#f5f5f5', border: '#f0f0f0', color: 'rgba(0,0,0,0.45)' },
  holiday: { background: '#fff1f0', border: '#ffa39e' },
  workday: { background: '#fff7e6', border: '#ffc069' },
};
const MARK_COLOR: Partial<Record<DayKind, string>> = { holiday: '#cf1322', workday: '#d46b08' };

function currentMonthIn(tz: string): string {
  try {
    return dayjs().tz(tz).format('YYYY-MM');
  } catch {
    return dayjs().format('YYYY-MM');
  }
}

const addMonths = (month: string, n: number) => dayjs(`${month}-01`).add(n, 'month').format('YYYY-MM');

/**
 * One month of a (saved) calendar: each day coloured by its kind — working, off, holiday (休),
 * make-up working day (班) — with its hours. The month is kept in the URL (`?month=2026-10`).
 *
 * The month shown is React state, changed by functional updates: two clicks on "next" before
 * the page re-renders move two months (a month computed from the render's value would drop one),
 * and the URL follows the state rather than leading it (the router's functional search-param
 * updates read the location, which lags behind quick clicks). A month put in the URL from
 * outside (a link, back/forward) is taken over.
 */
export function MonthView({ calendarId, timeZone }: { calendarId: string; timeZone: string }) {
  const { t, locale } = useI18n();
  const [sp, setSp] = useSearchParams();
  const param = sp.get('month') ?? '';
  const [month, setMonth] = useState(() => (MONTH_RE.test(param) ? param : currentMonthIn(timeZone)));
  const shift = (n: number) => setMonth((m) => addMonths(m, n));
  // Months this view wrote to the URL and has not seen come back yet: the router applies them
  // later (in a transition), possibly after a further click, so an older one must not win.
  const written = useRef(new Set<string>());
  /** The month the URL has or is about to have. */
  const target = useRef(param);
  useEffect(() => {
    if (written.current.delete(param)) return; // our own write arriving
    target.current = param;
    if (MONTH_RE.test(param)) setMonth(param); // a link, back/forward
  }, [param]);
  useEffect(() => {
    if (target.current === month) return;
    target.current = month;
    written.current.add(month);
    setSp(
      (prev) => {
        const n = new URLSearchParams(prev);
        n.set('month', month);
        return n;
      },
      { replace: true },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the URL follows the month, not the other way round
  }, [month]);

  const q = useQuery({
    queryKey: ['/calendars', 'month', calendarId, month],
    queryFn: ({ signal }) => api.get<CalendarMonth>(`/calendars/${encodeURIComponent(calendarId)}/month`, { month }, { signal }),
    placeholderData: (prev) => prev,
  });
  const today = useMemo(() => {
    try {
      return dayjs().tz(timeZone).format('YYYY-MM-DD');
    } catch {
      return dayjs().format('YYYY-MM-DD');
    }
  }, [timeZone]);

  const data = q.data;
  const days = data?.days ?? [];
  const lead = days.length ? days[0].weekday - 1 : 0;
  const workingDays = days.filter((d) => d.workingMinutes > 0).length;
  const workingHours = Math.round((days.reduce((s, d) => s + d.workingMinutes, 0) / 60) * 10) / 10;
  const kindName = (k: DayKind) => t(`calendars.kind.${k}` as MessageKey);
  const hoursOf = (d: CalendarMonth['days'][number]) => d.intervals.map((i) => `${hhmm(i.start, data!.timeZone)}–${hhmm(i.end, data!.timeZone, true)}`);
  const fmtHours = (minutes: number) => {
    const h = Math.round((minutes / 60) * 10) / 10;
    return t('common.hoursShort', { n: h });
  };

  return (
    <div data-testid="calendars-month">
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
        <Flex gap={4} align="center">
          <Button icon={<LeftOutlined />} onClick={() => shift(-1)} aria-label={t('calendars.prevMonth')} data-testid="calendars-month-prev" />
          <DatePicker
            picker="month"
            allowClear={false}
            value={dayjs(`${month}-01`)}
            format={locale === 'zh-CN' ? ['YYYY年M月', 'YYYY-MM', 'YYYY-M'] : ['MMM YYYY', 'YYYY-MM', 'YYYY-M']}
            onChange={(d) => d && setMonth(d.format('YYYY-MM'))}
            style={{ width: 130 }}
            data-testid="calendars-month-picker"
          />
          <Button icon={<RightOutlined />} onClick={() => shift(1)} aria-label={t('calendars.nextMonth')} data-testid="calendars-month-next" />
          <Button onClick={() => setMonth(currentMonthIn(timeZone))} data-testid="calendars-month-today">
            {t('calendars.thisMonth')}
          </Button>
        </Flex>
        {data && (
          <Typography.Text type="secondary" data-testid="calendars-month-total">
            {t('calendars.workingTotal', { days: workingDays, hours: workingHours })}
          </Typography.Text>
        )}
      </Flex>
      <ErrorAlert error={q.error} onRetry={() => q.refetch()} />
      {q.isPending ? (
        <Skeleton active />
      ) : (
        <div className="yw-month" style={{ opacity: q.isFetching && q.isPlaceholderData ? 0.6 : 1 }}>
          {[1, 2, 3, 4, 5, 6, 7].map((d) => (
            <div key={`h${d}`} className="yw-month-head">
              {t(`calendars.weekday.${d}` as MessageKey)}
            </div>
          ))}
          {Array.from({ length: lead }, (_, i) => (
            <div key={`b${i}`} />
          ))}
          {days.map((d) => {
            const style = DAY_STYLE[d.kind];
            const hours = hoursOf(d);
            const mark = d.kind === 'holiday' ? t('calendars.mark.holiday') : d.kind === 'workday' ? t('calendars.mark.workday') : null;
            const tip = (
              <div>
                <div>
                  <strong>{d.date}</strong> · {kindName(d.kind)}
                </div>
                {d.name && <div>{d.name}</div>}
                <div>{hours.length ? `${hours.join(locale === 'zh-CN' ? '、' : ', ')}${t('common.paren', { text: fmtHours(d.workingMinutes) })}` : t('calendars.off')}</div>
              </div>
            );
            return (
              <Tooltip key={d.date} title={tip}>
                <div
                  className="yw-month-day"
                  data-testid={`calendars-day-${d.date}`}
                  data-kind={d.kind}
                  style={{
                    background: style.background,
                    borderColor: d.date === today ? '#1677ff' : style.border,
                    color: style.color,
                    boxShadow: d.date === today ? '0 0 0 1px #1677ff inset' : undefined,
                  }}
                >
                  <Flex justify="space-between" align="center">
                    <span style={{ fontWeight: 600 }}>{Number(d.date.slice(8))}</span>
                    {mark && (
                      <span className="yw-month-mark" style={{ background: MARK_COLOR[d.kind] }} data-testid="calendars-day-mark">
                        {mark}
                      </span>
                    )}
                  </Flex>
                  {d.name && <div className="yw-month-name">{d.name}</div>}
                  <div className="yw-month-hours">
                    {hours.length === 0 ? (
                      t('calendars.off')
                    ) : (
                      <>
                        <div>{`${hhmm(d.intervals[0].start, data!.timeZone)}–${hhmm(d.intervals[d.intervals.length - 1].end, data!.timeZone, true)}`}</div>
                        <div>{fmtHours(d.workingMinutes)}</div>
                      </>
                    )}
                  </div>
                </div>
              </Tooltip>
            );
          })}
        </div>
      )}
      <Flex gap={12} wrap style={{ marginTop: 10, fontSize: 12 }}>
        {(['working', 'off', 'holiday', 'workday'] as DayKind[]).map((k) => (
          <Flex key={k} gap={4} align="center">
            <span className="yw-swatch" style={{ background: DAY_STYLE[k].background, borderColor: DAY_STYLE[k].border }} />
            <span>
              {kindName(k)}
              {k === 'holiday' ? t('common.paren', { text: t('calendars.mark.holiday') }) : k === 'workday' ? t('common.paren', { text: t('calendars.mark.workday') }) : ''}
            </span>
          </Flex>
        ))}
      </Flex>
    </div>
  );
}
