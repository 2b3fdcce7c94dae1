import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Card, Empty, Flex, Form, Input, Select, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import type { Calendar } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormDrawer } from '../../components/FormDrawer';
import { utcOffset, DEFAULT_TIME_ZONE } from '../../components/timezones';
import { CALENDAR_ID_RE, useCalendarLabel, useCalendars, useWeeklySummary } from './calendars/calendarShared';
import { MissingYearAlert } from './calendars/HolidayYearAlerts';

const BLANK = '__blank__';

interface CreateValues {
  name: string;
  id?: string;
  source: string;
}

/** The last year with a holiday or make-up day (tells when next year's notice must be added). */
function coverageYear(c: Calendar): number | null {
  if (c.holidayYears?.china) return Math.max(...c.holidayYears.years);
  const dates = [...c.holidays, ...c.workdays].map((d) => d.date).sort();
  return dates.length ? Number(dates[dates.length - 1].slice(0, 4)) : null;
}

export default function CalendarsPage() {
  const { t, fmtDateTime } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const list = useCalendars();
  const label = useCalendarLabel();
  const weekly = useWeeklySummary();
  const [creating, setCreating] = useState(false);
  const canWrite = can('calendars.write');
  const items = list.data ?? [];

  const create = async (v: CreateValues) => {
    const id = v.id?.trim() || undefined;
    const name = v.name.trim();
    let body: unknown;
    if (v.source === BLANK) {
      const day = [{ start: '09:00', end: '17:00' }];
      body = {
        id,
        name,
        timeZone: DEFAULT_TIME_ZONE,
        weekly: { 1: day, 2: day, 3: day, 4: day, 5: day, 6: [], 7: [] },
        holidays: [],
        workdays: [],
      };
    } else body = { copyFrom: v.source, id, name };
    const saved = await api.post<Calendar>('/calendars', body);
    await qc.invalidateQueries({ queryKey: ['/calendars'] });
    navigate(`/admin/calendars/${encodeURIComponent(saved.id)}`);
  };

  return (
    <div data-testid="page-calendars">
      <PageHeader
        title={t('calendars.title')}
        subtitle={t('calendars.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()} aria-label={t('common.refresh')} />
            {canWrite && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="calendars-new">
                {t('calendars.new')}
              </Button>
            )}
          </>
        }
      />
      <MissingYearAlert calendars={list.data} />
      <Card>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <Table<Calendar>
          rowKey="id"
          data-testid="calendars-table"
          dataSource={items}
          loading={list.isPending || list.isFetching}
          pagination={false}
          scroll={{ x: 960 }}
          onRow={(r) =>
            ({
              onClick: () => navigate(`/admin/calendars/${encodeURIComponent(r.id)}`),
              style: { cursor: 'pointer' },
              'data-testid': 'calendars-row',
            }) as React.HTMLAttributes<HTMLElement>
          }
          locale={{
            emptyText: (
              <Empty description={t('calendars.empty')} data-testid="calendars-empty">
                {canWrite && (
                  <Button type="primary" onClick={() => setCreating(true)}>
                    {t('calendars.new')}
                  </Button>
                )}
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('calendars.name'),
              key: 'name',
              width: 260,
              render: (_: unknown, c) => (
                <Flex vertical gap={2}>
                  <Flex gap={6} align="center" wrap>
                    <Typography.Link>{label(c)}</Typography.Link>
                    {c.builtin && (
                      <Tag color="blue" data-testid="calendars-builtin">
                        {t('calendars.builtin')}
                      </Tag>
                    )}
                  </Flex>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }} code>
                    {c.id}
                  </Typography.Text>
                </Flex>
              ),
            },
            {
              title: t('calendars.timeZone'),
              dataIndex: 'timeZone',
              width: 200,
              render: (tz: string) => (
                <span>
                  {tz} <Typography.Text type="secondary">{utcOffset(tz)}</Typography.Text>
                </span>
              ),
            },
            { title: t('calendars.hoursColumn'), key: 'weekly', render: (_: unknown, c) => weekly(c.weekly) },
            {
              title: t('calendars.specialDays'),
              key: 'special',
              width: 200,
              render: (_: unknown, c) => {
                const year = coverageYear(c);
                return (
                  <Flex vertical gap={2}>
                    <span>
                      {t('calendars.holidayCount', { count: c.holidays.length })} · {t('calendars.workdayCount', { count: c.workdays.length })}
                    </span>
                    {year && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('calendars.coverage', { year })}
                      </Typography.Text>
                    )}
                  </Flex>
                );
              },
            },
            { title: t('common.updatedAt'), dataIndex: 'updatedAt', width: 180, render: (v: string) => fmtDateTime(v) },
          ]}
        />
      </Card>
      <FormDrawer<CreateValues>
        open={creating}
        title={t('calendars.new')}
        testid="calendars-create"
        recordKey="new"
        initialValues={{ source: items.some((c) => c.id === 'cn-5x8') ? 'cn-5x8' : BLANK }}
        onClose={() => setCreating(false)}
        onSubmit={create}
        successMessage={t('common.created')}
      >
        <Form.Item
          name="name"
          label={t('calendars.name')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('calendars.name') }) }]}
        >
          <Input maxLength={100} autoFocus data-testid="calendars-create-name" />
        </Form.Item>
        <Form.Item
          name="id"
          label={t('calendars.id')}
          extra={t('calendars.idHelp')}
          rules={[{ pattern: CALENDAR_ID_RE, message: t('calendars.idInvalid') }]}
        >
          <Input maxLength={40} placeholder="jz-hospital-5x8" data-testid="calendars-create-id" />
        </Form.Item>
        <Form.Item name="source" label={t('calendars.source')} rules={[{ required: true }]}>
          <Select
            data-testid="calendars-create-source"
            options={[
              ...items.map((c) => ({ value: c.id, label: t('calendars.sourceCopy', { name: label(c) }) })),
              { value: BLANK, label: t('calendars.sourceBlank') },
            ]}
          />
        </Form.Item>
      </FormDrawer>
    </div>
  );
}
