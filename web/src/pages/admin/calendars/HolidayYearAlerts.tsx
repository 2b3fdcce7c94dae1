import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { Alert, Button, Flex } from 'antd';
import { CalendarOutlined } from '@ant-design/icons';
import type { Calendar } from '../../../api/types';
import { useI18n } from '../../../i18n';
import { useCan } from '../../../auth/session';
import { useCalendarLabel, useCalendars } from './calendarShared';

/** The calendars that lack a year of China's holiday schedule (the server says which, from 1 November). */
export function missingYears(calendars: Calendar[] | undefined): Array<{ calendar: Calendar; year: number }> {
  return (calendars ?? []).filter((c) => c.holidayYears?.missingYear).map((c) => ({ calendar: c, year: c.holidayYears!.missingYear! }));
}

/** "2027 年法定节假日安排尚未录入", or for several calendars "3 个服务日历缺少 2027 年…". */
function missingTitle(t: ReturnType<typeof useI18n>['t'], missing: ReturnType<typeof missingYears>): string {
  const year = missing[0].year;
  return missing.length === 1 ? t('holidays.missingTitle', { year }) : t('holidays.missingMany', { count: missing.length, year });
}

export const yearFormPath = (id: string, year: number) => `/admin/calendars/${encodeURIComponent(id)}?year=${year}`;

/** On the calendars page: which calendars lack next year's schedule, each with a button to its year form. */
export function MissingYearAlert({ calendars }: { calendars: Calendar[] | undefined }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const label = useCalendarLabel();
  const can = useCan();
  const missing = missingYears(calendars);
  if (missing.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="calendars-missing-year"
      title={missingTitle(t, missing)}
      description={
        <Flex vertical gap={6}>
          {missing.map(({ calendar, year: y }) => (
            <Flex key={calendar.id} gap={8} align="center" wrap>
              <span>{t('holidays.missingText', { name: label(calendar), year: y })}</span>
              {can('calendars.write') && (
                <Button size="small" type="primary" icon={<CalendarOutlined />} onClick={() => navigate(yearFormPath(calendar.id, y))} data-testid={`calendars-enter-year-${calendar.id}`}>
                  {t('holidays.enterYear', { year: y })}
                </Button>
              )}
            </Flex>
          ))}
        </Flex>
      }
    />
  );
}

/**
 * For admins on every workspace page but the calendars': a banner while a calendar lacks next
 * year's holidays (from 1 November), with a button to the year form. Closable for the session.
 */
export function HolidayYearBanner() {
  const { t } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const allowed = can('calendars.write');
  const list = useCalendars(allowed);
  const [closed, setClosed] = useState(() => sessionStorage.getItem('yw.holidayBanner') ?? '');
  const missing = missingYears(list.data);
  if (!allowed || missing.length === 0 || pathname.startsWith('/admin/calendars')) return null;
  const year = missing[0].year;
  if (closed === String(year)) return null;
  const target = missing.find((m) => m.calendar.id === 'cn-5x8') ?? missing[0];
  return (
    <Alert
      banner
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="holiday-year-banner"
      title={missingTitle(t, missing)}
      action={
        <Flex gap={8}>
          <Button size="small" type="primary" onClick={() => navigate(missing.length === 1 ? yearFormPath(target.calendar.id, year) : '/admin/calendars')} data-testid="holiday-year-banner-go">
            {t('holidays.enterYear', { year })}
          </Button>
        </Flex>
      }
      closable={{
        onClose: () => {
          sessionStorage.setItem('yw.holidayBanner', String(year));
          setClosed(String(year));
        },
      }}
    />
  );
}
