import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Modal, Table, Tag, Typography } from 'antd';
import { api } from '../../../api/client';
import type { RecomputePreview } from '../../../api/types';
import { useI18n, type MessageKey } from '../../../i18n';
import { ErrorAlert } from '../../../components/ErrorAlert';

/** What changed: a calendar's days, or a contract's SLA policy. */
export type RecomputeTarget = { kind: 'calendar'; id: string } | { kind: 'contract'; id: number };

const pathOf = (t: RecomputeTarget) => (t.kind === 'calendar' ? `/calendars/${encodeURIComponent(t.id)}/recompute` : `/contracts/${t.id}/sla/recompute`);

/**
 * After a calendar or an SLA is saved: which open tickets' due instants move (ticket, metric,
 * before, after) and "apply to N open tickets". Shown only when something moves.
 */
function RecomputeModal({ target, onClose }: { target: RecomputeTarget | null; onClose: () => void }) {
  const { t, fmtDateTime, errorText } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const q = useQuery({
    queryKey: ['recompute', target],
    queryFn: () => api.get<RecomputePreview>(pathOf(target!)),
    enabled: target !== null,
    gcTime: 0,
    retry: false,
  });
  // Nothing moves (or no permission to see it): nothing to offer.
  useEffect(() => {
    if (target && q.data && q.data.moved === 0) onClose();
    if (target && q.isError) onClose();
  }, [target, q.data, q.isError, onClose]);

  const data = q.data;
  const apply = async () => {
    if (!target) return;
    setBusy(true);
    try {
      const r = await api.post<{ tickets: number; moved: number; queued: boolean }>(pathOf(target));
      message.success(r.queued ? t('recompute.queued', { tickets: r.tickets }) : t('recompute.applied', { moved: r.moved }));
      await qc.invalidateQueries({ queryKey: ['/tickets'] });
      onClose();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const due = (v: string | null) => (v ? fmtDateTime(v) : <Typography.Text type="secondary">{t('recompute.noDue')}</Typography.Text>);

  return (
    <Modal
      open={target !== null && !!data && data.moved > 0}
      title={t('recompute.title')}
      width={860}
      onCancel={() => !busy && onClose()}
      data-testid="recompute-modal"
      footer={[
        <Button key="later" onClick={onClose} disabled={busy} data-testid="recompute-later">
          {t('recompute.later')}
        </Button>,
        <Button key="apply" type="primary" loading={busy} onClick={() => void apply()} data-testid="recompute-apply">
          {t('recompute.apply', { count: data?.moved ?? 0 })}
        </Button>,
      ]}
    >
      <ErrorAlert error={q.error} />
      {data && target && (
        <>
          <Typography.Paragraph>{t(`recompute.intro.${target.kind}` as MessageKey)}</Typography.Paragraph>
          <Typography.Paragraph type="secondary" data-testid="recompute-summary">
            {t('recompute.summary', { tickets: data.tickets, moved: data.moved })}
            {data.truncated ? ` · ${t('recompute.truncated', { count: data.items.length })}` : ''}
          </Typography.Paragraph>
          <Table
            size="small"
            rowKey={(r) => `${r.ticketId}:${r.metric}`}
            dataSource={data.items}
            pagination={data.items.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
            data-testid="recompute-table"
            scroll={{ x: 700 }}
            columns={[
              {
                title: t('recompute.ticket'),
                key: 'ticket',
                render: (_: unknown, r) => (
                  <span>
                    <Link to={`/tickets/${r.ticketId}`} target="_blank">
                      {r.number}
                    </Link>{' '}
                    <Typography.Text type="secondary" ellipsis style={{ maxWidth: 200 }}>
                      {r.title}
                    </Typography.Text>
                  </span>
                ),
              },
              { title: t('recompute.metric'), dataIndex: 'metric', width: 90, render: (m: string) => t(`sla.metric.${m}` as MessageKey) },
              { title: t('recompute.oldDue'), dataIndex: 'oldDue', width: 170, render: (v: string | null) => due(v) },
              {
                title: t('recompute.newDue'),
                key: 'newDue',
                width: 220,
                render: (_: unknown, r) => (
                  <span>
                    {due(r.newDue)}
                    {r.breachRecorded && (
                      <Tag color="error" style={{ marginInlineStart: 6 }}>
                        {t('recompute.breachKept')}
                      </Tag>
                    )}
                  </span>
                ),
              },
            ]}
          />
          <Alert type="info" showIcon style={{ marginTop: 12 }} title={t('recompute.laterHint')} />
        </>
      )}
    </Modal>
  );
}

/** `offer(target)` after a save; render `modal` once in the page. */
export function useRecomputeOffer() {
  const [target, setTarget] = useState<RecomputeTarget | null>(null);
  const close = useState(() => () => setTarget(null))[0];
  return { offer: setTarget, modal: <RecomputeModal target={target} onClose={close} /> };
}
