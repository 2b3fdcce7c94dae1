import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import dayjs from 'dayjs';
import { Button, Card, DatePicker, Empty, Flex, Input, Select, Switch, Table, Tag, Typography } from 'antd';
import { ClearOutlined, ReloadOutlined } from '@ant-design/icons';
import type { AuditEntry, Id } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { zhCN } from '../../i18n/zh-CN';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadMore, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { RemoteSelect } from '../../components/RemoteSelect';

/** Entities as the server records them (table names). */
const ACTIONS = [
  'create',
  'update',
  'delete',
  'login',
  'login_failed',
  'lockout',
  'unlock',
  'password_change',
  'disable',
  'enable',
  'permission_change',
  'assign',
  'accept',
  'resolve',
  'close',
  'reopen',
  'escalate',
  'sign',
];
const ENTITIES = [
  'tickets',
  'repair_reports',
  'customers',
  'sites',
  'contacts',
  'contracts',
  'teams',
  'users',
  'roles',
  'api_tokens',
  'calendars',
  'dispatch_rules',
  'alert_sources',
  'mail_mailboxes',
  'webhooks',
  'jobs',
  'security',
];
/** Entities whose records have a page of their own, by id. */
const RECORD_PATH: Record<string, (id: string) => string> = {
  tickets: (id) => `/tickets/${id}`,
  customers: (id) => `/admin/customers/${id}`,
};

type Flat = Map<string, string>;

function show(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** {a:{b:1}, c:[1,2]} → a.b = 1, c = [1,2] */
export function flatten(v: unknown, prefix = '', out: Flat = new Map()): Flat {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, '{}');
    for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, show(v));
  else if (v !== null && v !== undefined) out.set('(value)', show(v));
  return out;
}

export interface DiffRow {
  key: string;
  before?: string;
  after?: string;
  changed: boolean;
}

export function diffRows(before: unknown, after: unknown): DiffRow[] {
  const b = flatten(before);
  const a = flatten(after);
  const keys = [...new Set([...b.keys(), ...a.keys()])];
  return keys.map((key) => ({
    key,
    before: b.get(key),
    after: a.get(key),
    changed: b.get(key) !== a.get(key),
  }));
}

export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useI18n();
  const rows = useMemo(() => diffRows(before, after), [before, after]);
  const isUpdate = before != null && after != null;
  const [onlyChanged, setOnlyChanged] = useState(isUpdate);
  const shown = onlyChanged ? rows.filter((r) => r.changed) : rows;
  const changedCount = rows.filter((r) => r.changed).length;
  return (
    <div data-testid="audit-diff">
      {isUpdate && (
        <Flex align="center" gap={8} style={{ marginBottom: 8 }}>
          <Switch size="small" checked={onlyChanged} onChange={setOnlyChanged} data-testid="audit-only-changed" />
          <Typography.Text>{t('audit.onlyChanged')}</Typography.Text>
          <Tag color="orange">
            {t('audit.changed')}: {changedCount}
          </Tag>
        </Flex>
      )}
      <Table<DiffRow>
        size="small"
        rowKey="key"
        pagination={false}
        dataSource={shown}
        rowClassName={(r) => (r.changed && isUpdate ? 'yw-diff-changed' : '')}
        locale={{ emptyText: t('audit.noChanges') }}
        columns={[
          {
            title: t('audit.field'),
            dataIndex: 'key',
            width: 220,
            render: (k: string, r) => (
              <Typography.Text code strong={r.changed && isUpdate}>
                {k}
              </Typography.Text>
            ),
          },
          {
            title: t('audit.before'),
            dataIndex: 'before',
            render: (v: string | undefined, r) =>
              v === undefined ? (
                <Typography.Text type="secondary">—</Typography.Text>
              ) : (
                <span className={r.changed && isUpdate ? 'yw-diff-before' : undefined} style={{ wordBreak: 'break-all' }}>
                  {v}
                </span>
              ),
          },
          {
            title: t('audit.after'),
            dataIndex: 'after',
            render: (v: string | undefined, r) =>
              v === undefined ? (
                <Typography.Text type="secondary">—</Typography.Text>
              ) : (
                <span className={r.changed && isUpdate ? 'yw-diff-after' : undefined} style={{ wordBreak: 'break-all' }}>
                  {v}
                </span>
              ),
          },
        ]}
      />
    </div>
  );
}

export default function AuditPage() {
  const { t, fmtDateTime, formats } = useI18n();
  const can = useCan();
  const f = useUrlFilters(['entity', 'entityId', 'actorId', 'action', 'from', 'to'] as const);
  const v = f.values;
  const list = useKeysetList<AuditEntry>('/audit', {
    entity: v.entity,
    entityId: v.entityId,
    actorId: v.actorId,
    action: v.action,
    from: v.from,
    to: v.to,
  });
  const [expanded, setExpanded] = useState<Id[]>([]);
  const toggle = (id: Id) => setExpanded((e) => (e.includes(id) ? e.filter((x) => x !== id) : [...e, id]));
  const entityLabel = (e: string) => {
    const key = `audit.entity.${e}` as MessageKey;
    return key in zhCN ? t(key) : e;
  };
  const actionLabel = (a: string) => {
    const key = `audit.action.${a}` as MessageKey;
    return key in zhCN ? t(key) : a;
  };
  const actionOptions = [...new Set([...ACTIONS, ...(v.action ? [v.action] : [])])].map((a) => ({ value: a, label: actionLabel(a) }));
  const entityOptions = [...new Set([...ENTITIES, ...(v.entity ? [v.entity] : [])])].map((e) => ({ value: e, label: entityLabel(e) }));
  const [entityIdText, setEntityIdText] = useState(v.entityId);
  const anyFilter = Object.values(v).some(Boolean);

  return (
    <div data-testid="page-audit">
      <PageHeader
        title={t('audit.title')}
        subtitle={t('audit.subtitle')}
        extra={<Button icon={<ReloadOutlined />} onClick={() => list.refetch()} aria-label={t('common.refresh')} />}
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <Select
            allowClear
            placeholder={t('audit.entity')}
            value={v.entity || undefined}
            onChange={(e?: string) => f.set({ entity: e })}
            options={entityOptions}
            style={{ width: 160 }}
            data-testid="audit-filter-entity"
          />
          <Select
            allowClear
            placeholder={t('audit.action')}
            value={v.action || undefined}
            onChange={(a?: string) => f.set({ action: a })}
            options={actionOptions}
            style={{ width: 150 }}
            data-testid="audit-filter-action"
          />
          <Input
            allowClear
            placeholder={t('audit.entityId')}
            value={entityIdText}
            onChange={(e) => {
              setEntityIdText(e.target.value);
              if (!e.target.value) f.set({ entityId: null });
            }}
            onPressEnter={() => f.set({ entityId: entityIdText.trim() })}
            onBlur={() => f.set({ entityId: entityIdText.trim() })}
            style={{ width: 200 }}
            data-testid="audit-filter-entity-id"
          />
          {can('users.read') ? (
            <RemoteSelect
              resource="users"
              value={v.actorId ? Number(v.actorId) : null}
              onChange={(id) => f.set({ actorId: id != null ? String(id) : null })}
              placeholder={t('audit.actor')}
              style={{ width: 220 }}
              testid="audit-filter-actor"
            />
          ) : (
            <Input
              allowClear
              placeholder={t('audit.actor')}
              defaultValue={v.actorId}
              onPressEnter={(e) => f.set({ actorId: (e.target as HTMLInputElement).value.trim() })}
              style={{ width: 200 }}
              data-testid="audit-filter-actor"
            />
          )}
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format={formats.dateTime}
            value={v.from || v.to ? [v.from ? dayjs(v.from) : null, v.to ? dayjs(v.to) : null] : null}
            onChange={(r) => f.set({ from: r?.[0]?.toISOString() ?? null, to: r?.[1]?.toISOString() ?? null })}
            allowEmpty={[true, true]}
            placeholder={[t('audit.range'), t('audit.range')]}
            data-testid="audit-filter-range"
          />
          {anyFilter && (
            <Button
              icon={<ClearOutlined />}
              onClick={() => {
                setEntityIdText('');
                f.clear();
              }}
              data-testid="audit-filter-reset"
            >
              {t('common.reset')}
            </Button>
          )}
        </Flex>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <Table<AuditEntry>
          rowKey="id"
          data-testid="audit-table"
          dataSource={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 900 }}
          expandable={{
            expandedRowKeys: expanded,
            onExpand: (_, r) => toggle(r.id),
            expandedRowRender: (r) => <JsonDiff before={r.before} after={r.after} />,
          }}
          onRow={(r) =>
            ({
              onClick: () => toggle(r.id),
              style: { cursor: 'pointer' },
              'data-testid': 'audit-row',
            }) as React.HTMLAttributes<HTMLElement>
          }
          locale={{ emptyText: <Empty description={t('audit.empty')} data-testid="audit-empty" /> }}
          columns={[
            { title: t('audit.time'), dataIndex: 'at', width: 200, render: (at: string) => fmtDateTime(at, true) },
            {
              title: t('audit.actor'),
              dataIndex: 'actorName',
              width: 170,
              render: (n: string | null, r) => {
                const shown = r.actorDisplayName || n;
                if (!shown) return r.actorId != null ? `#${r.actorId}` : <Typography.Text type="secondary">{t('audit.system')}</Typography.Text>;
                return (
                  <span data-testid="audit-actor">
                    {shown}
                    {n && r.actorDisplayName && r.actorDisplayName !== n && (
                      <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }} title={t('audit.actorLogin', { name: n })}>
                        {n}
                      </Typography.Text>
                    )}
                  </span>
                );
              },
            },
            { title: t('audit.ip'), dataIndex: 'ip', width: 140, render: (ip: string | null) => ip || '—' },
            { title: t('audit.action'), dataIndex: 'action', width: 160, render: (a: string) => <Tag color={a.includes('fail') || a === 'lockout' || a === 'delete' ? 'red' : 'blue'}>{actionLabel(a)}</Tag> },
            { title: t('audit.entity'), dataIndex: 'entity', width: 130, render: (e: string) => entityLabel(e) },
            {
              title: t('audit.record'),
              dataIndex: 'entityId',
              ellipsis: true,
              render: (id: string | null, r) => {
                if (!id) return '—';
                const path = RECORD_PATH[r.entity]?.(id);
                // A ticket is known by its number; other records by their id.
                const text = r.entityNumber ?? id;
                return (
                  <span onClick={(e) => e.stopPropagation()} title={r.entityNumber ? t('audit.entityRow', { id }) : undefined} data-testid="audit-record">
                    {path ? (
                      <Link to={path} style={{ fontFamily: r.entityNumber ? 'ui-monospace, SFMono-Regular, Menlo, monospace' : undefined }}>
                        {text}
                      </Link>
                    ) : (
                      <Typography.Text copyable={{ text }} code>
                        {text}
                      </Typography.Text>
                    )}
                  </span>
                );
              },
            },
          ]}
        />
        <LoadMore list={list} testid="audit" />
      </Card>
    </div>
  );
}
