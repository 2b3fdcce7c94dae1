import { useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Flex, Form, Input, Popconfirm, Radio, Table, Tag, TreeSelect } from 'antd';
import { ApartmentOutlined, EnvironmentOutlined, PlusOutlined } from '@ant-design/icons';
import { api, fetchAll } from '../../api/client';
import type { Customer, Id, Site, SiteKind } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { FormDrawer } from '../../components/FormDrawer';
import { ErrorAlert } from '../../components/ErrorAlert';

export interface SiteNode extends Site {
  children?: SiteNode[];
}

/** Builds the tree by parentId (orphans become roots). */
export function buildSiteTree(sites: Site[]): SiteNode[] {
  const byId = new Map<Id, SiteNode>();
  for (const s of sites) byId.set(s.id, { ...s });
  const roots: SiteNode[] = [];
  for (const n of byId.values()) {
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    if (parent && parent !== n) (parent.children ??= []).push(n);
    else roots.push(n);
  }
  const sort = (ns: SiteNode[]) => {
    ns.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
    for (const n of ns) if (n.children) sort(n.children);
  };
  sort(roots);
  return roots;
}

export function useSites(customerId: Id) {
  return useQuery({
    queryKey: ['/sites', customerId],
    queryFn: () => fetchAll<Site>(`/customers/${customerId}/sites`),
    staleTime: 30_000,
  });
}

interface TreeOpt {
  value: Id;
  title: string;
  disabled?: boolean;
  children?: TreeOpt[];
}

export function siteTreeOptions(tree: SiteNode[], exclude?: Id): TreeOpt[] {
  const map = (ns: SiteNode[], disabled = false): TreeOpt[] =>
    ns.map((n) => {
      const off = disabled || n.id === exclude;
      return { value: n.id, title: n.name, disabled: off, children: n.children ? map(n.children, off) : undefined };
    });
  return map(tree);
}

interface SiteValues {
  name: string;
  kind: SiteKind;
  address?: string;
  parentId?: Id | null;
}

export function SitesTab({ customer }: { customer: Customer }) {
  const { t, errorText } = useI18n();
  const can = useCan();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const sites = useSites(customer.id);
  const tree = useMemo(() => buildSiteTree(sites.data ?? []), [sites.data]);
  const [drawer, setDrawer] = useState<{ open: boolean; record: Site | null; parentId?: Id | null }>({
    open: false,
    record: null,
  });
  const canWrite = can('customers.write');
  // every node starts expanded; remember only what the user folded
  const [folded, setFolded] = useState<Set<Id>>(() => new Set());
  const expandedKeys = useMemo(() => (sites.data ?? []).map((s) => s.id).filter((k) => !folded.has(k)), [sites.data, folded]);

  const submit = async (v: SiteValues) => {
    const body = {
      name: v.name.trim(),
      kind: v.kind,
      address: v.address?.trim() || null,
      parentId: v.parentId || null,
    };
    const r = drawer.record;
    if (r) await api.patch(`/sites/${r.id}`, { ...body, version: r.version });
    else await api.post(`/customers/${customer.id}/sites`, body);
    await qc.invalidateQueries({ queryKey: ['/sites', customer.id] });
  };
  const remove = async (s: Site) => {
    try {
      await api.del(`/sites/${s.id}`);
      message.success(t('common.deleted'));
      await qc.invalidateQueries({ queryKey: ['/sites', customer.id] });
    } catch (e) {
      message.error(errorText(e));
    }
  };

  const r = drawer.record;
  return (
    <div data-testid="customer-sites">
      <Flex justify="flex-end" style={{ marginBottom: 12 }}>
        {canWrite && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setDrawer({ open: true, record: null, parentId: null })}
            data-testid="sites-new"
          >
            {t('sites.new')}
          </Button>
        )}
      </Flex>
      <ErrorAlert error={sites.error} onRetry={() => sites.refetch()} />
      <Table<SiteNode>
        rowKey="id"
        data-testid="sites-table"
        dataSource={tree}
        loading={sites.isPending}
        pagination={false}
        expandable={{
          expandedRowKeys: expandedKeys,
          onExpand: (expanded, rec) =>
            setFolded((f) => {
              const n = new Set(f);
              if (expanded) n.delete(rec.id);
              else n.add(rec.id);
              return n;
            }),
        }}
        scroll={{ x: 640 }}
        onRow={(rec) =>
          ({
            onClick: () => setDrawer({ open: true, record: rec }),
            style: { cursor: 'pointer' },
            'data-testid': 'sites-row',
          }) as React.HTMLAttributes<HTMLElement>
        }
        locale={{
          emptyText: (
            <Empty description={t('sites.empty')} data-testid="sites-empty">
              {canWrite && (
                <Button type="primary" onClick={() => setDrawer({ open: true, record: null, parentId: null })}>
                  {t('sites.new')}
                </Button>
              )}
            </Empty>
          ),
        }}
        columns={[
          {
            title: t('sites.name'),
            dataIndex: 'name',
            render: (v: string, s) => (
              <span>
                {s.kind === 'department' ? <ApartmentOutlined /> : <EnvironmentOutlined />} {v}
              </span>
            ),
          },
          {
            title: t('sites.kind'),
            dataIndex: 'kind',
            width: 120,
            render: (k: SiteKind) => (
              <Tag color={k === 'department' ? 'purple' : 'cyan'}>{t(`sites.kind.${k}` as 'sites.kind.site')}</Tag>
            ),
          },
          { title: t('sites.address'), dataIndex: 'address', ellipsis: true },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 220,
            align: 'right',
            render: (_: unknown, s) =>
              canWrite && (
                <Flex gap={4} justify="flex-end" onClick={(e) => e.stopPropagation()}>
                  <Button
                    type="link"
                    size="small"
                    onClick={() => setDrawer({ open: true, record: null, parentId: s.id })}
                    data-testid="sites-add-child"
                  >
                    {t('sites.addChild')}
                  </Button>
                  <Button type="link" size="small" onClick={() => setDrawer({ open: true, record: s })}>
                    {t('common.edit')}
                  </Button>
                  <Popconfirm
                    title={t('common.deleteConfirm', { name: s.name })}
                    onConfirm={() => remove(s)}
                    okButtonProps={{ danger: true }}
                  >
                    <Button type="link" size="small" danger data-testid="sites-delete">
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Flex>
              ),
          },
        ]}
      />
      <FormDrawer<SiteValues>
        open={drawer.open}
        title={r ? t('sites.edit') : t('sites.new')}
        testid="site-form"
        readOnly={!canWrite}
        recordKey={r?.id ?? `new-${drawer.parentId ?? ''}`}
        initialValues={
          r
            ? { name: r.name, kind: r.kind, address: r.address ?? '', parentId: r.parentId }
            : { kind: 'site', parentId: drawer.parentId ?? null }
        }
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSubmit={submit}
      >
        <Form.Item
          name="name"
          label={t('sites.name')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sites.name') }) }]}
        >
          <Input maxLength={200} data-testid="site-form-name" autoFocus />
        </Form.Item>
        <Form.Item name="kind" label={t('sites.kind')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            data-testid="site-form-kind"
            options={(['site', 'department'] as const).map((k) => ({
              value: k,
              label: <span data-testid={`site-form-kind-${k}`}>{t(`sites.kind.${k}`)}</span>,
            }))}
          />
        </Form.Item>
        <Form.Item name="parentId" label={t('sites.parent')}>
          <TreeSelect
            allowClear
            treeDefaultExpandAll
            placeholder={t('sites.parentNone')}
            treeData={siteTreeOptions(tree, r?.id)}
            data-testid="site-form-parent"
          />
        </Form.Item>
        <Form.Item name="address" label={t('sites.address')}>
          <Input maxLength={500} data-testid="site-form-address" />
        </Form.Item>
      </FormDrawer>
    </div>
  );
}
