import { useEffect, useState } from 'react';
import type { Dayjs } from 'dayjs';
import { Alert, Button, DatePicker, Flex, Form, InputNumber, Select, Typography } from 'antd';
import { CalculatorOutlined } from '@ant-design/icons';
import { api } from '../../../api/client';
import type { TargetUnit } from '../../../api/types';
import { useI18n, type MessageKey } from '../../../i18n';
import { setServerErrors } from '../../../lib/formErrors';
import { atOwnOffset, nowWallIn, offsetLabel, wallToIso } from '../../../lib/zoned';

interface Values {
  start: Dayjs;
  amount: number;
  unit: TargetUnit;
}

/**
 * "When is it due?": start (wall time in the calendar's zone) + minutes, hours or working days
 * on the saved calendar → GET /calendars/{id}/deadline.
 */
export function DeadlineCalculator({ calendarId, timeZone, version }: { calendarId: string; timeZone: string; version?: number }) {
  const { t, errorText, formats, locale } = useI18n();
  const [form] = Form.useForm<Values>();
  const unit = Form.useWatch('unit', form) ?? 'hours';
  const [result, setResult] = useState<{ deadline: string; start: string; amount: number; unit: TargetUnit } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // a saved change of the calendar makes the last answer stale; the inputs stay
  useEffect(() => {
    setResult(null);
    setProblem(null);
  }, [version]);

  const compute = async (v: Values) => {
    setBusy(true);
    setProblem(null);
    try {
      const start = wallToIso(v.start, timeZone);
      const query =
        v.unit === 'workdays'
          ? { start, days: v.amount }
          : { start, minutes: v.unit === 'hours' ? Math.round(v.amount * 60) : v.amount };
      const r = await api.get<{ deadline: string; timeZone: string }>(`/calendars/${encodeURIComponent(calendarId)}/deadline`, query);
      setResult({ deadline: r.deadline, start, amount: v.amount, unit: v.unit });
    } catch (e) {
      setResult(null);
      const rest = setServerErrors(form, e, {
        map: (p) => (p[0] === 'minutes' || p[0] === 'days' ? ['amount'] : p[0] === 'start' ? ['start'] : p),
      });
      setProblem(rest.length ? rest.map((x) => x.message).join('；') : errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const fmt = (iso: string) => {
    const d = atOwnOffset(iso).locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
    return locale === 'zh-CN' ? `${d.format(formats.dateTime)}（${d.format('dddd')}）` : `${d.format(formats.dateTime)} (${d.format('dddd')})`;
  };

  return (
    <div data-testid="calendars-deadline">
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('calendars.deadlineHelp', { tz: timeZone })}
      </Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ start: nowWallIn(timeZone), amount: 4, unit: 'hours' }}
        onFinish={compute}
        onValuesChange={() => setResult(null)}
      >
        <Form.Item
          name="start"
          label={t('calendars.deadlineStart')}
          rules={[{ required: true, message: t('common.requiredSelect', { field: t('calendars.deadlineStart') }) }]}
        >
          <DatePicker
            showTime={{ format: 'HH:mm' }}
            format={[formats.dateTime, 'YYYY-MM-DD HH:mm']}
            allowClear={false}
            style={{ width: '100%' }}
            data-testid="calendars-deadline-start"
          />
        </Form.Item>
        <Flex gap={8} align="flex-start" wrap>
          <Form.Item
            name="amount"
            label={t('calendars.deadlineAmount')}
            style={{ flex: '1 1 120px' }}
            rules={[
              { required: true, message: t('common.required', { field: t('calendars.deadlineAmount') }) },
              { type: 'number', min: 0, message: t('calendars.amountInvalid') },
            ]}
          >
            <InputNumber min={0} precision={unit === 'hours' ? undefined : 0} style={{ width: '100%' }} data-testid="calendars-deadline-amount" />
          </Form.Item>
          <Form.Item name="unit" label={t('calendars.deadlineUnit')} style={{ flex: '1 1 120px' }}>
            <Select
              data-testid="calendars-deadline-unit"
              options={(['minutes', 'hours', 'workdays'] as TargetUnit[]).map((u) => ({
                value: u,
                label: <span data-testid={`calendars-deadline-unit-${u}`}>{t(`calendars.unit.${u}` as MessageKey)}</span>,
              }))}
            />
          </Form.Item>
        </Flex>
        {unit === 'workdays' && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: -8 }}>
            {t('calendars.deadlineDaysRule')}
          </Typography.Paragraph>
        )}
        <Button type="primary" htmlType="submit" icon={<CalculatorOutlined />} loading={busy} data-testid="calendars-deadline-compute">
          {t('calendars.deadlineCompute')}
        </Button>
      </Form>
      {problem && <Alert type="error" showIcon style={{ marginTop: 12 }} title={problem} data-testid="calendars-deadline-error" />}
      {result && (
        <Alert
          type="success"
          style={{ marginTop: 12 }}
          data-testid="calendars-deadline-result"
          title={
            <span>
              {t('calendars.deadlineResult')}
              {t('common.colon')}
              <strong>{fmt(result.deadline)}</strong>
            </span>
          }
          description={
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {fmt(result.start)} + {result.amount} {t(`calendars.unit.${result.unit}` as MessageKey)} · {timeZone} {offsetLabel(result.deadline)}
            </Typography.Text>
          }
        />
      )}
    </div>
  );
}
