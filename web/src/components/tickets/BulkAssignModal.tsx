import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Form, Modal, Typography } from 'antd';
import { api, isApiError, type FieldError } from '../../api/client';
import type { Id, TicketListItem } from '../../api/types';
import { useI18n } from '../../i18n';
import { AssignFormItems } from './AssignFields';
import { TICKETS } from './ticketShared';

/**
 * 批量分派: one team and/or person for the selected tickets (POST /tickets/bulk-assign, all or
 * none). A 409 names each ticket that cannot be assigned; they are listed by number.
 */
export function BulkAssignModal({
  open,
  tickets,
  onClose,
  onDone,
}: {
  open: boolean;
  tickets: TicketListItem[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ teamId?: Id | null; assigneeId?: Id | null }>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ text: string; rows: { number: string; message: string }[] } | null>(null);

  useEffect(() => {
    if (open) {
      form.resetFields();
      setProblem(null);
    }
  }, [open, form]);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setProblem(null);
    try {
      await api.post('/tickets/bulk-assign', { ids: tickets.map((x) => x.id), teamId: v.teamId ?? null, assigneeId: v.assigneeId ?? null });
      message.success(t('tickets.bulk.done', { count: tickets.length }));
      void qc.invalidateQueries({ queryKey: [TICKETS] });
      onDone();
    } catch (e) {
      const rows: { number: string; message: string }[] = [];
      const other: FieldError[] = [];
      for (const fe of isApiError(e) ? e.errors : []) {
        const m = /^ids\[(\d+)\]$/.exec(fe.field ?? '') ?? /^ids\.(\d+)$/.exec(fe.field ?? '');
        const ticket = m ? tickets[Number(m[1])] : undefined;
        if (ticket) rows.push({ number: ticket.number, message: fe.message });
        else other.push(fe);
      }
      if (other.length) form.setFields(other.filter((f) => f.field === 'teamId' || f.field === 'assigneeId').map((f) => ({ name: f.field as 'teamId' | 'assigneeId', errors: [f.message] })));
      setProblem({ text: errorText(e), rows });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('tickets.bulk.title', { count: tickets.length })}
      onCancel={onClose}
      onOk={submit}
      okText={t('tickets.bulk.submit')}
      okButtonProps={{ loading: busy, 'data-testid': 'workspace-bulk-submit' }}
      cancelButtonProps={{ 'data-testid': 'workspace-bulk-cancel' }}
      destroyOnHidden
      data-testid="workspace-bulk-modal"
    >
      <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
        {tickets.map((x) => x.number).join('、')}
      </Typography.Paragraph>
      {problem && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={problem.text}
          data-testid="workspace-bulk-errors"
          description={
            problem.rows.length > 0 ? (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {problem.rows.map((r) => (
                  <li key={r.number} data-testid="workspace-bulk-error">
                    <Typography.Text strong>{r.number}</Typography.Text>：{r.message}
                  </li>
                ))}
              </ul>
            ) : undefined
          }
        />
      )}
      <Form form={form} layout="vertical" data-testid="workspace-bulk-form">
        <AssignFormItems prefix="workspace-bulk" />
      </Form>
    </Modal>
  );
}
