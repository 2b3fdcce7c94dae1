import { useState } from 'react';
import { Alert, App, Button, Flex, Form, Input, InputNumber, Radio } from 'antd';
import { FieldTimeOutlined } from '@ant-design/icons';
import { api, applyFieldErrors } from '../../api/client';
import { WORKLOG_MODES, type Ticket, type WorklogMode } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';

interface WorklogValues {
  minutes: number;
  mode: WorklogMode;
  note?: string;
}

/** 工作记录: minutes spent and how (电话/远程/现场), with a note. Internal. */
export function WorklogForm({ ticket, onPosted }: { ticket: Ticket; onPosted: () => Promise<unknown> | void }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<WorklogValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onsite = ticket.timeline.some((e) => e.type === 'visit');

  const submit = async (v: WorklogValues) => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/tickets/${ticket.id}/worklogs`, { minutes: v.minutes, mode: v.mode, note: v.note?.trim() ? v.note : null });
      message.success(t('tickets.worklog.saved'));
      form.resetFields(['minutes', 'note']);
      await onPosted();
    } catch (e) {
      const unmatched = applyFieldErrors(form, e);
      if (unmatched.length || !(e as { errors?: unknown[] }).errors?.length) setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form<WorklogValues>
      form={form}
      layout="vertical"
      initialValues={{ mode: onsite ? 'onsite' : 'phone' }}
      onFinish={submit}
      data-testid="ticket-worklog"
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          form.submit();
        }
      }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="ticket-worklog-error" />}
      <Flex gap={12} wrap align="flex-start">
        <Form.Item
          name="minutes"
          label={t('tickets.worklog.minutes')}
          rules={[{ required: true, message: t('common.required', { field: t('tickets.worklog.minutes') }) }]}
          style={{ marginBottom: 12 }}
        >
          <InputNumber min={1} max={1440} precision={0} style={{ width: 140 }} suffix={t('tickets.worklog.minuteUnit')} data-testid="ticket-worklog-minutes" />
        </Form.Item>
        <Form.Item name="mode" label={t('tickets.worklog.mode')} style={{ marginBottom: 12 }}>
          <Radio.Group optionType="button">
            {WORKLOG_MODES.map((m) => (
              <Radio.Button key={m} value={m}>
                <span data-testid={`ticket-worklog-mode-${m}`}>{t(`tickets.mode.${m}` as MessageKey)}</span>
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
      </Flex>
      <Form.Item name="note" label={t('tickets.worklog.note')} style={{ marginBottom: 12 }}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} placeholder={t('tickets.worklog.notePlaceholder')} data-testid="ticket-worklog-note" />
      </Form.Item>
      <Flex justify="flex-end">
        <Button type="primary" htmlType="submit" icon={<FieldTimeOutlined />} loading={busy} data-testid="ticket-worklog-submit">
          {t('tickets.worklog.submit')}
        </Button>
      </Flex>
    </Form>
  );
}
