import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Flex, Form, Popconfirm, Typography } from 'antd';
import { CloseOutlined, DeploymentUnitOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import type { Ticket } from '../../api/types';
import { OPEN_TICKET_STATES } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { CIS, type CiSummary } from './api';
import { CiLookupSelect, CiStatusTag } from './shared';

/**
 * The log-a-call drawer's "受影响配置项" field: CIs of the chosen customer found by code, name
 * or IP (what matched is shown); the drawer sends them as `ciIds` with the new ticket.
 */
export function CallCiField({ customerId }: { customerId?: number | null }) {
  const { t } = useI18n();
  const can = useCan();
  if (!can('cmdb.read')) return null;
  return (
    <Form.Item name="ciIds" label={t('cmdb.ticket.affected')} extra={t('cmdb.ticket.callHint')}>
      <CiLookupSelect customerId={customerId} multiple testid="call-cis" placeholder={t('cmdb.ticket.callPlaceholder')} />
    </Form.Item>
  );
}

/** The ticket page's "受影响配置项": the CIs the ticket names (links to their pages), add and remove while it is open. */
export function TicketCisPanel({ ticket }: { ticket: Ticket }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const can = useCan();
  const key = ['/tickets', ticket.id, 'cis'];
  const cis = useQuery({ queryKey: key, queryFn: () => api.get<{ items: CiSummary[] }>(`/tickets/${ticket.id}/cis`).then((d) => d.items) });
  const open = OPEN_TICKET_STATES.includes(ticket.state);
  const canEdit = can('tickets.write') && can('cmdb.read') && open;
  const items = cis.data ?? [];
  const changed = (next?: CiSummary[]) => {
    if (next) qc.setQueryData(key, next);
    else void qc.invalidateQueries({ queryKey: key });
    void qc.invalidateQueries({ queryKey: [CIS, 'related'] });
  };

  const add = async (ciId: number) => {
    try {
      const d = await api.post<{ items: CiSummary[] }>(`/tickets/${ticket.id}/cis`, { ciIds: [ciId] });
      changed(d.items);
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const remove = async (ciId: number) => {
    try {
      await api.del(`/tickets/${ticket.id}/cis/${ciId}`);
      changed(items.filter((c) => c.id !== ciId));
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <Card
      size="small"
      title={
        <span>
          <DeploymentUnitOutlined /> {t('cmdb.ticket.affected')}
        </span>
      }
      data-testid="ticket-cis"
    >
      {cis.isError ? (
        <Typography.Text type="danger">{errorText(cis.error)}</Typography.Text>
      ) : items.length === 0 ? (
        <Typography.Text type="secondary" data-testid="ticket-cis-empty">
          {cis.isPending ? '…' : t('cmdb.ticket.none')}
        </Typography.Text>
      ) : (
        <Flex vertical gap={8}>
          {items.map((c) => (
            <Flex key={c.id} justify="space-between" align="flex-start" gap={8} data-testid={`ticket-ci-${c.code}`}>
              <div style={{ minWidth: 0 }}>
                {can('cmdb.read') ? (
                  <Link to={`/cmdb/${c.id}`} data-testid="ticket-ci-link">
                    <b>{c.code}</b> {c.name}
                  </Link>
                ) : (
                  <span>
                    <Typography.Text strong>{c.code}</Typography.Text> {c.name}
                  </span>
                )}
                <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                  {c.typeName}
                  {c.ip ? ` · ${c.ip}` : ''}
                  {c.siteName ? ` · ${c.siteName}` : ''}
                  {c.status !== 'in_use' && (
                    <span style={{ marginInlineStart: 6 }}>
                      <CiStatusTag status={c.status} />
                    </span>
                  )}
                </Typography.Text>
              </div>
              {canEdit && (
                <Popconfirm title={t('cmdb.ticket.removeConfirm', { code: c.code })} onConfirm={() => remove(c.id)} okButtonProps={{ 'data-testid': 'ticket-ci-remove-confirm' }}>
                  <Button type="text" size="small" icon={<CloseOutlined />} aria-label={t('common.remove')} data-testid="ticket-ci-remove" />
                </Popconfirm>
              )}
            </Flex>
          ))}
        </Flex>
      )}
      {canEdit && (
        <div style={{ marginTop: 8 }}>
          <CiLookupSelect
            size="small"
            customerId={ticket.customerId}
            exclude={items.map((c) => c.id)}
            value={null}
            onChange={(v) => typeof v === 'number' && void add(v)}
            testid="ticket-ci-add"
            placeholder={t('cmdb.ticket.add')}
          />
        </div>
      )}
    </Card>
  );
}
