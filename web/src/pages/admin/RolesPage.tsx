import { useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Empty, Flex, Form, Input, Popconfirm, Skeleton, Table, Tag, Tooltip, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api, fetchAll } from '../../api/client';
import type { Permission, Role } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { zhCN } from '../../i18n/zh-CN';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormDrawer } from '../../components/FormDrawer';
import { SearchBox, useUrlFilters } from '../../components/KeysetList';
import { useRoles } from './roleQueries';

export function usePermissions(enabled = true) {
  return useQuery({
    queryKey: ['/permissions'],
    queryFn: () => fetchAll<Permission>('/permissions'),
    staleTime: 5 * 60_000,
    enabled,
  });
}

export function useGroupLabel() {
  const { t } = useI18n();
  return (group: string) => {
    const key = `permGroup.${group}` as MessageKey;
    return key in zhCN ? t(key) : group;
  };
}

/** Grouped checkbox list of permissions; a form control (value = permission codes). */
export function PermissionPicker({
  value = [],
  onChange,
  permissions,
  disabled,
}: {
  value?: string[];
  onChange?: (v: string[]) => void;
  permissions: Permission[];
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const groupLabel = useGroupLabel();
  const groups = useMemo(() => {
    const m = new Map<string, Permission[]>();
    for (const p of permissions) {
      const g = p.group || p.code.split('.')[0];
      if (!m.has(g)) m.set(g, []);
      m.get(g)!.push(p);
    }
    return [...m];
  }, [permissions]);
  const selected = new Set(value);
  const set = (codes: string[], on: boolean) => {
    const next = new Set(selected);
    for (const c of codes) {
      if (on) next.add(c);
      else next.delete(c);
    }
    onChange?.(permissions.map((p) => p.code).filter((c) => next.has(c)).concat([...next].filter((c) => !permissions.some((p) => p.code === c))));
  };
  return (
    <Flex vertical gap={12} data-testid="role-form-permissions">
      {groups.map(([group, perms]) => {
        const codes = perms.map((p) => p.code);
        const n = codes.filter((c) => selected.has(c)).length;
        return (
          <Card key={group} size="small" data-testid={`perm-group-${group}`}>
            <Checkbox
              checked={n === codes.length}
              indeterminate={n > 0 && n < codes.length}
              onChange={(e) => set(codes, e.target.checked)}
              disabled={disabled}
              style={{ fontWeight: 600, marginBottom: 8 }}
            >
              {groupLabel(group)}
              <Typography.Text type="secondary" style={{ fontWeight: 400, marginInlineStart: 8, fontSize: 12 }}>
                {n}/{codes.length} · {t('roles.selectAll')}
              </Typography.Text>
            </Checkbox>
            <Flex wrap gap="4px 16px" style={{ paddingInlineStart: 24 }}>
              {perms.map((p) => (
                <Checkbox
                  key={p.code}
                  checked={selected.has(p.code)}
                  onChange={(e) => set([p.code], e.target.checked)}
                  disabled={disabled}
                  data-testid={`perm-${p.code}`}
                >
                  <Tooltip title={p.code}>{p.name || p.code}</Tooltip>
                </Checkbox>
              ))}
            </Flex>
          </Card>
        );
      })}
    </Flex>
  );
}

interface RoleValues {
  code: string;
  nameZh: string;
  nameEn: string;
  permissions: string[];
}

export default function RolesPage() {
  const { t, errorText } = useI18n();
  const can = useCan();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const filters = useUrlFilters(['q'] as const);
  // Roles are few: load them all and filter here (the roles list has no server-side search).
  const all = useRoles();
  const q = filters.values.q.toLowerCase();
  const items = useMemo(
    () =>
      (all.data ?? []).filter(
        (r) => !q || [r.code, r.name, r.nameZh, r.nameEn].some((x) => x?.toLowerCase().includes(q)),
      ),
    [all.data, q],
  );
  const perms = usePermissions();
  const [drawer, setDrawer] = useState<{ open: boolean; record: Role | null }>({ open: false, record: null });
  const canWrite = can('roles.write');
  const r = drawer.record;

  const submit = async (v: RoleValues) => {
    const body = { nameZh: v.nameZh.trim(), nameEn: v.nameEn.trim(), permissions: v.permissions ?? [] };
    if (r) await api.patch(`/roles/${r.id}`, { ...body, version: r.version });
    else await api.post('/roles', { ...body, code: v.code.trim() });
    await qc.invalidateQueries({ queryKey: ['/roles'] });
  };
  const remove = async (role: Role) => {
    try {
      await api.del(`/roles/${role.id}`);
      message.success(t('common.deleted'));
      await qc.invalidateQueries({ queryKey: ['/roles'] });
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div data-testid="page-roles">
      <PageHeader
        title={t('roles.title')}
        subtitle={t('roles.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => all.refetch()} aria-label={t('common.refresh')} />
            {canWrite && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ open: true, record: null })} data-testid="roles-new">
                {t('roles.new')}
              </Button>
            )}
          </>
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <SearchBox value={filters.values.q} onChange={(q) => filters.set({ q })} testid="roles-search" />
        </Flex>
        <ErrorAlert error={all.error} onRetry={() => all.refetch()} />
        <Table<Role>
          rowKey="id"
          data-testid="roles-table"
          dataSource={items}
          loading={all.isPending || all.isFetching}
          pagination={false}
          scroll={{ x: 640 }}
          onRow={(rec) =>
            ({
              onClick: () => setDrawer({ open: true, record: rec }),
              style: { cursor: 'pointer' },
              'data-testid': 'roles-row',
            }) as React.HTMLAttributes<HTMLElement>
          }
          locale={{
            emptyText: (
              <Empty description={t('roles.empty')} data-testid="roles-empty">
                {canWrite && !filters.values.q && (
                  <Button type="primary" onClick={() => setDrawer({ open: true, record: null })}>
                    {t('roles.new')}
                  </Button>
                )}
              </Empty>
            ),
          }}
          columns={[
            { title: t('roles.name'), dataIndex: 'name', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
            { title: t('roles.code'), dataIndex: 'code', width: 180, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            {
              title: t('common.kind'),
              dataIndex: 'builtin',
              width: 110,
              render: (b: boolean) => (b ? <Tag color="purple">{t('roles.builtin')}</Tag> : <Tag>{t('roles.custom')}</Tag>),
            },
            { title: t('roles.userCount'), dataIndex: 'userCount', width: 90, render: (n?: number) => n ?? '—' },
            {
              title: t('roles.permissions'),
              dataIndex: 'permissions',
              width: 140,
              render: (p: string[]) => t('roles.permissionCount', { count: p?.length ?? 0 }),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 140,
              align: 'right',
              render: (_: unknown, role) =>
                canWrite && (
                  <Flex gap={4} justify="flex-end" onClick={(e) => e.stopPropagation()}>
                    <Button type="link" size="small" onClick={() => setDrawer({ open: true, record: role })}>
                      {t('common.edit')}
                    </Button>
                    {role.builtin ? (
                      <Tooltip title={t('roles.builtinNoDelete')}>
                        <Button type="link" size="small" danger disabled data-testid="roles-delete">
                          {t('common.delete')}
                        </Button>
                      </Tooltip>
                    ) : (
                      <Popconfirm
                        title={t('common.deleteConfirm', { name: role.name })}
                        onConfirm={() => remove(role)}
                        okButtonProps={{ danger: true, 'data-testid': 'roles-delete-confirm' }}
                      >
                        <Button type="link" size="small" danger data-testid="roles-delete">
                          {t('common.delete')}
                        </Button>
                      </Popconfirm>
                    )}
                  </Flex>
                ),
            },
          ]}
        />
      </Card>
      <FormDrawer<RoleValues>
        open={drawer.open}
        width={720}
        title={r ? t('roles.edit') : t('roles.new')}
        testid="role-form"
        recordKey={r?.id ?? 'new'}
        readOnly={!canWrite}
        initialValues={
          r ? { code: r.code, nameZh: r.nameZh ?? r.name, nameEn: r.nameEn ?? r.name, permissions: r.permissions ?? [] } : { permissions: [] }
        }
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSubmit={submit}
      >
        <Form.Item
          name="code"
          label={t('roles.code')}
          extra={!r && t('roles.codeHelp')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('roles.code') }) },
            { pattern: /^[a-z][a-z0-9_]{1,39}$/, message: t('roles.codeHelp') },
          ]}
        >
          <Input maxLength={40} disabled={!!r} data-testid="role-form-code" autoFocus={!r} />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item
            name="nameZh"
            label={t('roles.nameZh')}
            style={{ flex: '1 1 220px' }}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('roles.nameZh') }) }]}
          >
            <Input maxLength={100} data-testid="role-form-name-zh" />
          </Form.Item>
          <Form.Item
            name="nameEn"
            label={t('roles.nameEn')}
            style={{ flex: '1 1 220px' }}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('roles.nameEn') }) }]}
          >
            <Input maxLength={100} data-testid="role-form-name-en" />
          </Form.Item>
        </Flex>
        {perms.isPending && <Skeleton active />}
        {perms.isError && <ErrorAlert error={perms.error} onRetry={() => perms.refetch()} />}
        <Form.Item name="permissions" label={t('roles.permissions')}>
          <PermissionPicker permissions={perms.data ?? []} />
        </Form.Item>
      </FormDrawer>
    </div>
  );
}
