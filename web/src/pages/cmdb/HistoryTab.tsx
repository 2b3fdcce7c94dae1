import { useMemo } from 'react';
import { Flex, Table, Tag, Typography } from 'antd';
import { ArrowRightOutlined } from '@ant-design/icons';
import { useI18n, type MessageKey } from '../../i18n';
import { LoadMore, useKeysetList } from '../../components/KeysetList';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useIsMobile } from '../../components/useIsMobile';
import { useNames } from '../../components/RemoteSelect';
import { useCan } from '../../auth/session';
import { useCustomerSites } from './CiListPage';
import { CIS, RELATION_TYPES, attrLabel, typeLabel, useCiTypes, criticalityKey, relationKey, statusKey, type AttributeDef, type Ci, type CiStatus, type HistoryItem, type RelationType } from './api';

const ACTION_COLOR: Record<string, string> = { created: 'green', updated: 'blue', retired: 'default', related: 'purple', unrelated: 'magenta', asset: 'gold', verified: 'cyan' };

/** A value of a history row as people read it (sites and users by name). */
function useShow(ci: Ci, defs: AttributeDef[], rows: HistoryItem[]) {
  const { t, locale, fmtNumber } = useI18n();
  const types = useCiTypes(true);
  const sites = useCustomerSites(ci.customerId);
  const owners = useMemo(
    () => rows.flatMap((h) => (Array.isArray(h.changes.ownerId) ? (h.changes.ownerId as unknown[]) : [])).filter((x): x is number => typeof x === 'number'),
    [rows],
  );
  const can = useCan();
  const users = useNames('users', owners, can('users.read'));
  return (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return '—';
    if (field === 'siteId' && typeof v === 'number') return sites.data?.find((x) => x.id === v)?.name ?? `#${v}`;
    if (field === 'ownerId' && typeof v === 'number') return users.name(v);
    if (field === 'customerId' && v === ci.customerId) return ci.customerName;
    if (field === 'typeId' && typeof v === 'number') {
      const type = types.data?.find((x) => x.id === v);
      return type ? typeLabel(type, locale) : `#${v}`;
    }
    const unit = field.startsWith('attributes.') ? defs.find((d) => `attributes.${d.key}` === field)?.unit : undefined;
    if (typeof v === 'number' && unit) return `${fmtNumber(v)} ${unit}`;
    if (field === 'status' && typeof v === 'string') {
      const s = t(statusKey(v as CiStatus));
      return s.startsWith('cmdb.') ? v : s;
    }
    if (field === 'criticality' && typeof v === 'number') return t(criticalityKey(v));
    if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
    if (typeof v === 'number') return fmtNumber(v);
    if (Array.isArray(v)) return v.map(String).join('、');
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  };
}

function isPair(v: unknown): v is [unknown, unknown] {
  return Array.isArray(v) && v.length === 2;
}

/** Who changed what, when: each field before → after (attributes by their label), relationships in words. */
export function HistoryTab({ ci, defs }: { ci: Ci; defs: AttributeDef[] }) {
  const { t, locale, fmtDateTime } = useI18n();
  const mobile = useIsMobile();
  const list = useKeysetList<HistoryItem>(`${CIS}/${ci.id}/history`, {}, { limit: 50 });
  const show = useShow(ci, defs, list.items);

  const fieldName = (f: string) => {
    if (f.startsWith('attributes.')) {
      const key = f.slice('attributes.'.length);
      const d = defs.find((x) => x.key === key);
      return d ? attrLabel(d, locale) : key;
    }
    const k = `cmdb.hfield.${f}` as MessageKey;
    const s = t(k);
    return s === k ? f : s;
  };
  const actionName = (a: string) => {
    const k = `cmdb.action.${a}` as MessageKey;
    const s = t(k);
    return s === k ? a : s;
  };

  const changes = (h: HistoryItem) => {
    const c = h.changes ?? {};
    if ((h.action === 'related' || h.action === 'unrelated') && typeof c.type === 'string') {
      const type = RELATION_TYPES.includes(c.type as RelationType) ? t(relationKey(c.type as RelationType)) : c.type;
      return (
        <span data-testid="ci-history-relation">
          {String(c.sourceCode ?? '')} <Tag style={{ marginInline: 4 }}>{type}</Tag> {String(c.targetCode ?? '')}
          {c.note ? <Typography.Text type="secondary"> · {String(c.note)}</Typography.Text> : null}
        </span>
      );
    }
    const entries = Object.entries(c);
    return (
      <Flex vertical gap={2}>
        {entries.map(([f, v]) =>
          isPair(v) ? (
            <span key={f} data-testid="ci-history-change" data-field={f}>
              <Typography.Text type="secondary">{fieldName(f)}：</Typography.Text>
              <Typography.Text delete={v[0] !== null && v[0] !== undefined && h.action !== 'created'} type="secondary">
                {h.action === 'created' ? '' : show(f, v[0])}
              </Typography.Text>
              {h.action !== 'created' && <ArrowRightOutlined style={{ marginInline: 6, fontSize: 11 }} />}
              <Typography.Text>{show(f, v[1])}</Typography.Text>
            </span>
          ) : (
            <span key={f}>
              <Typography.Text type="secondary">{fieldName(f)}：</Typography.Text>
              {show(f, v)}
            </span>
          ),
        )}
      </Flex>
    );
  };

  if (list.isError) return <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div data-testid="ci-history">
      <Table<HistoryItem>
        rowKey="id"
        size="small"
        loading={list.isPending}
        dataSource={list.items}
        pagination={false}
        scroll={mobile ? undefined : { x: 720 }}
        locale={{ emptyText: t('cmdb.history.empty') }}
        columns={
          mobile
            ? [
                {
                  key: 'all',
                  render: (_, h) => (
                    <Flex vertical gap={4}>
                      <span>
                        <Tag color={ACTION_COLOR[h.action]}>{actionName(h.action)}</Tag>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {fmtDateTime(h.at)} · {h.actorName}
                        </Typography.Text>
                      </span>
                      {changes(h)}
                    </Flex>
                  ),
                },
              ]
            : [
                { title: t('cmdb.history.at'), dataIndex: 'at', width: 170, render: (v: string) => fmtDateTime(v) },
                { title: t('cmdb.history.who'), dataIndex: 'actorName', width: 120 },
                { title: t('cmdb.history.action'), dataIndex: 'action', width: 100, render: (a: string) => <Tag color={ACTION_COLOR[a]}>{actionName(a)}</Tag> },
                { title: t('cmdb.history.changes'), key: 'changes', render: (_, h) => changes(h) },
              ]
        }
      />
      <LoadMore list={list} testid="ci-history" />
    </div>
  );
}
