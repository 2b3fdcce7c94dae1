import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Flex, Form, Input, Popconfirm, Select, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, HolderOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api, fetchAll } from '../../api/client';
import type { DispatchRule } from '../../api/deskTypes';
import { TICKET_KINDS, type Id, type TicketKind } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormDrawer } from '../../components/FormDrawer';
import { RemoteSelect } from '../../components/RemoteSelect';

const RULES = '/dispatch-rules';

interface RuleValues {
  name: string;
  customerId?: Id | null;
  service?: string;
  category?: string;
  priority?: string;
  kind?: TicketKind | null;
  teamId?: Id;
  enabled: boolean;
}

/**
 * 派单规则 (dispatch.manage): the rules in the order they are tried, each with its criteria
 * (customer, service, category, priority, kind; empty matches anything) and team. Add and edit in
 * a drawer, enable or disable in the row, reorder by dragging a row or with the arrows (the whole
 * order is sent: a rule added meanwhile gives a 409 and the list reloads), delete.
 */
export default function DispatchRulesPage() {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const can = useCan();
  const canManage = can('dispatch.manage');
  const rules = useQuery({ queryKey: [RULES], queryFn: () => fetchAll<DispatchRule>(RULES, {}, 1000) });
  const [drawer, setDrawer] = useState<{ open: boolean; record: DispatchRule | null }>({ open: false, record: null });
  const [dragged, setDragged] = useState<Id | null>(null);
  const [busy, setBusy] = useState(false);
  const items = rules.data ?? [];
  const reload = () => qc.invalidateQueries({ queryKey: [RULES] });

  const submit = async (v: RuleValues) => {
    const body = {
      name: v.name.trim(),
      customerId: v.customerId ?? null,
      service: v.service?.trim() || null,
      category: v.category?.trim() || null,
      priority: v.priority?.trim() || null,
      kind: v.kind ?? null,
      teamId: v.teamId,
      enabled: v.enabled,
    };
    const r = drawer.record;
    if (r) await api.patch(`${RULES}/${r.id}`, { ...body, version: r.version });
    else await api.post(RULES, body);
    message.success(t('dispatch.saved', { name: body.name }));
    await reload();
  };

  const act = async (fn: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    try {
      await fn();
      if (done) message.success(done);
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
      await reload();
    }
  };
  const reorder = (ids: Id[]) => act(() => api.post(`${RULES}/reorder`, { ids }), t('dispatch.reordered'));
  const move = (from: number, to: number) => {
    if (to < 0 || to >= items.length || from === to) return;
    const ids = items.map((r) => r.id);
    const [id] = ids.splice(from, 1);
    ids.splice(to, 0, id);
    void reorder(ids);
  };
  const toggle = (r: DispatchRule, enabled: boolean) => act(() => api.patch(`${RULES}/${r.id}`, { enabled, version: r.version }));
  const remove = (r: DispatchRule) => act(() => api.del(`${RULES}/${r.id}`), t('dispatch.deleted', { name: r.name }));

  const criteria = (r: DispatchRule) => {
    const tags = [
      r.customerId != null ? `${t('dispatch.customer')}：${r.customerName ?? r.customerId}` : t('dispatch.anyCustomer'),
      r.service && `${t('dispatch.service')}：${r.service}`,
      r.category && `${t('dispatch.category')}：${r.category}`,
      r.priority && `${t('dispatch.priority')}：${r.priority}`,
      r.kind && `${t('dispatch.kind')}：${t(`tickets.kind.${r.kind}` as MessageKey)}`,
    ].filter(Boolean) as string[];
    return (
      <Flex gap={4} wrap>
        {tags.map((x) => (
          <Tag key={x}>{x}</Tag>
        ))}
      </Flex>
    );
  };
  const r = drawer.record;

  return (
    <div data-testid="page-dispatch-rules">
      <PageHeader
        title={t('dispatch.title')}
        subtitle={t('dispatch.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => rules.refetch()} aria-label={t('common.refresh')} />
            {canManage && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ open: true, record: null })} data-testid="dispatch-new">
                {t('dispatch.add')}
              </Button>
            )}
          </>
        }
      />
      {!canManage && <Alert type="info" showIcon title={t('dispatch.readOnly')} style={{ marginBottom: 16 }} />}
      <Card>
        <ErrorAlert error={rules.error} onRetry={() => rules.refetch()} />
        {canManage && items.length > 1 && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            <HolderOutlined /> {t('dispatch.dragHint')}
          </Typography.Paragraph>
        )}
        <Table<DispatchRule>
          rowKey="id"
          data-testid="dispatch-table"
          dataSource={items}
          loading={rules.isPending || busy}
          pagination={false}
          scroll={{ x: 860 }}
          onRow={(rec, index) =>
            ({
              'data-testid': 'dispatch-row',
              'data-rule-id': rec.id,
              draggable: canManage,
              onDragStart: () => setDragged(rec.id),
              onDragOver: (e: React.DragEvent) => e.preventDefault(),
              onDrop: () => {
                const from = items.findIndex((x) => x.id === dragged);
                setDragged(null);
                if (from >= 0 && index !== undefined) move(from, index);
              },
              style: { cursor: canManage ? 'grab' : undefined, opacity: rec.enabled ? 1 : 0.55 },
            }) as React.HTMLAttributes<HTMLElement>
          }
          locale={{
            emptyText: (
              <Empty description={t('dispatch.empty')} data-testid="dispatch-empty">
                {canManage && (
                  <Button type="primary" onClick={() => setDrawer({ open: true, record: null })}>
                    {t('dispatch.add')}
                  </Button>
                )}
              </Empty>
            ),
          }}
          columns={[
            { title: t('dispatch.order'), key: 'order', width: 70, render: (_: unknown, _r, i) => <Typography.Text strong>{i + 1}</Typography.Text> },
            { title: t('dispatch.name'), dataIndex: 'name', render: (v: string, rec) => (canManage ? <Typography.Link onClick={() => setDrawer({ open: true, record: rec })}>{v}</Typography.Link> : v) },
            { title: t('dispatch.criteria'), key: 'criteria', render: (_: unknown, rec) => criteria(rec) },
            { title: t('dispatch.team'), dataIndex: 'teamName', width: 140, render: (v: string | null, rec) => v ?? rec.teamId },
            {
              title: t('dispatch.enabled'),
              dataIndex: 'enabled',
              width: 80,
              render: (v: boolean, rec) => <Switch size="small" checked={v} disabled={!canManage || busy} onChange={(on) => toggle(rec, on)} data-testid="dispatch-enabled" />,
            },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 220,
              align: 'right',
              render: (_: unknown, rec, i) =>
                canManage && (
                  <Flex gap={2} justify="flex-end">
                    <Tooltip title={t('dispatch.moveUp')}>
                      <Button type="text" size="small" icon={<ArrowUpOutlined />} disabled={i === 0 || busy} onClick={() => move(i, i - 1)} aria-label={t('dispatch.moveUp')} data-testid="dispatch-up" />
                    </Tooltip>
                    <Tooltip title={t('dispatch.moveDown')}>
                      <Button type="text" size="small" icon={<ArrowDownOutlined />} disabled={i === items.length - 1 || busy} onClick={() => move(i, i + 1)} aria-label={t('dispatch.moveDown')} data-testid="dispatch-down" />
                    </Tooltip>
                    <Button type="link" size="small" onClick={() => setDrawer({ open: true, record: rec })}>
                      {t('dispatch.edit')}
                    </Button>
                    <Popconfirm title={t('dispatch.deleteConfirm', { name: rec.name })} onConfirm={() => remove(rec)} okButtonProps={{ danger: true, 'data-testid': 'dispatch-delete-confirm' }}>
                      <Button type="link" size="small" danger data-testid="dispatch-delete">
                        {t('dispatch.delete')}
                      </Button>
                    </Popconfirm>
                  </Flex>
                ),
            },
          ]}
        />
      </Card>
      <FormDrawer<RuleValues>
        open={drawer.open}
        title={r ? t('dispatch.editTitle') : t('dispatch.addTitle')}
        testid="dispatch-form"
        recordKey={r?.id ?? 'new'}
        initialValues={
          r
            ? { name: r.name, customerId: r.customerId, service: r.service ?? '', category: r.category ?? '', priority: r.priority ?? '', kind: r.kind, teamId: r.teamId, enabled: r.enabled }
            : { enabled: true, customerId: null, kind: null }
        }
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSubmit={submit}
        readOnly={!canManage}
      >
        <Form.Item name="name" label={t('dispatch.name')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('dispatch.name') }) }, { max: 100 }]}>
          <Input maxLength={100} data-testid="dispatch-form-name" />
        </Form.Item>
        <Form.Item name="customerId" label={t('dispatch.customer')} extra={t('dispatch.anyCustomer')}>
          <RemoteSelect resource="customers" testid="dispatch-form-customer" placeholder={t('dispatch.anyCustomer')} />
        </Form.Item>
        <Form.Item name="service" label={t('dispatch.service')}>
          <Input maxLength={100} placeholder={t('dispatch.any')} data-testid="dispatch-form-service" />
        </Form.Item>
        <Form.Item name="category" label={t('dispatch.category')}>
          <Input maxLength={100} placeholder={t('dispatch.any')} data-testid="dispatch-form-category" />
        </Form.Item>
        <Form.Item name="priority" label={t('dispatch.priority')} extra={t('dispatch.priorityHelp')}>
          <Input maxLength={40} placeholder={t('dispatch.any')} data-testid="dispatch-form-priority" />
        </Form.Item>
        <Form.Item name="kind" label={t('dispatch.kind')}>
          <Select
            allowClear
            placeholder={t('dispatch.any')}
            options={TICKET_KINDS.map((k) => ({ value: k, label: t(`tickets.kind.${k}` as MessageKey) }))}
            data-testid="dispatch-form-kind"
          />
        </Form.Item>
        <Form.Item name="teamId" label={t('dispatch.team')} rules={[{ required: true, message: t('common.required', { field: t('dispatch.team') }) }]}>
          <RemoteSelect resource="teams" testid="dispatch-form-team" />
        </Form.Item>
        <Form.Item name="enabled" label={t('dispatch.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </FormDrawer>
    </div>
  );
}
