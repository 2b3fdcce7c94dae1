import { useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Flex, Form, Input, Modal, Popconfirm, Select, Table, Tag, Tooltip, Typography } from 'antd';
import { KeyOutlined, LockOutlined, PlusOutlined, ReloadOutlined, StopOutlined, UnlockOutlined, CheckCircleOutlined } from '@ant-design/icons';
import { api, applyFieldErrors, asPage, fetchAll, type Page } from '../../api/client';
import type { Contact, Id, Locale, Team, User } from '../../api/types';
import { useRoles } from './roleQueries';
import { useI18n, type MessageKey } from '../../i18n';
import { zhCN } from '../../i18n/zh-CN';
import { ME_KEY, useCan, useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormDrawer } from '../../components/FormDrawer';
import { LoadMore, SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { RemoteSelect, useNames } from '../../components/RemoteSelect';
import { passwordOk } from '../../lib/password';

/**
 * User actions outside PATCH (the PATCH body has no `disabled`/`lockedUntil`).
 * Users are never deleted: "delete" disables (see server/src/modules/accounts/service.ts).
 */
export const USER_ACTIONS = {
  unlock: (id: Id) => api.post<User>(`/users/${id}/unlock`),
  disable: (id: Id) => api.post<User>(`/users/${id}/disable`),
  enable: (id: Id) => api.post<User>(`/users/${id}/enable`),
  resetPassword: (id: Id, newPassword: string) => api.post(`/users/${id}/password`, { newPassword }),
};

/** Roles a customer's own staff may hold (server: CUSTOMER_ROLES). */
const CUSTOMER_ROLES = ['customer_admin', 'customer_contact'];

export function isLocked(u: Pick<User, 'lockedUntil'>): boolean {
  return !!u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now();
}

function useTeamsAll(enabled = true) {
  return useQuery({ queryKey: ['/teams', 'all'], queryFn: () => fetchAll<Team>('/teams'), staleTime: 60_000, enabled });
}

/**
 * Which contact of the user's customer the account is (the portal reports in its name). Searches
 * the customer's contacts as you type; the chosen one is fetched for its name.
 */
function ContactPicker({ customerId, value, onChange, id }: { customerId: Id; value?: Id | null; onChange?: (v: Id | null) => void; id?: string }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [text, setText] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(h);
  }, [text]);
  const found = useQuery({
    queryKey: ['/contacts', 'of', customerId, q],
    queryFn: () => api.get<Page<Contact>>(`/customers/${customerId}/contacts`, { q: q || undefined, limit: 50 }).then((d) => asPage(d).items),
    staleTime: 60_000,
  });
  const chosen = useQuery({ queryKey: ['/contacts', 'byId', value], queryFn: () => api.get<Contact>(`/contacts/${value}`), enabled: value != null, staleTime: 60_000, retry: false });
  const options = (found.data ?? []).map((c) => ({ value: c.id, label: c.title ? `${c.name}（${c.title}）` : c.name }));
  if (value != null && !options.some((o) => o.value === value)) options.unshift({ value, label: chosen.data?.name ?? `#${value}` });
  return (
    <Select
      id={id}
      allowClear
      value={value ?? null}
      onChange={(v) => onChange?.(v ?? null)}
      options={options}
      loading={found.isFetching}
      showSearch={{ filterOption: false, onSearch: setText }}
      placeholder={t('users.contactPlaceholder')}
      data-testid="user-form-contact"
    />
  );
}

interface UserValues {
  username: string;
  displayName: string;
  email?: string;
  phone?: string;
  password?: string;
  roleCodes: string[];
  customerId?: Id | null;
  contactId?: Id | null;
  teamIds: Id[];
  locale?: Locale;
}

function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ newPassword: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open={!!user}
      title={`${t('users.resetPassword')} — ${user?.displayName ?? ''}`}
      onCancel={onClose}
      okText={t('common.save')}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'reset-password-submit' }}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('users.resetPasswordHelp')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          if (!user) return;
          setBusy(true);
          setError(null);
          try {
            await USER_ACTIONS.resetPassword(user.id, v.newPassword);
            message.success(t('users.passwordReset'));
            onClose();
          } catch (e) {
            applyFieldErrors(form, e);
            setError(errorText(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item
          name="newPassword"
          label={t('account.password.new')}
          extra={t('users.passwordRule')}
          rules={[
            { required: true, message: t('common.required', { field: t('account.password.new') }) },
            { validator: (_, v: string) => (!v || passwordOk(v) ? Promise.resolve() : Promise.reject(new Error(t('users.passwordWeak')))) },
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="reset-password-input" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function UsersPage() {
  const { t, errorText, fmtDateTime } = useI18n();
  const can = useCan();
  const me = useCurrentUser();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<UserValues>();
  const filters = useUrlFilters(['q', 'role', 'customerId', 'disabled'] as const);
  const fv = filters.values;
  const list = useKeysetList<User>('/users', { q: fv.q, role: fv.role, customerId: fv.customerId, disabled: fv.disabled });
  const roles = useRoles(can('roles.read'));
  const teams = useTeamsAll(can('teams.read'));
  const customers = useNames('customers', list.items.map((u) => u.customerId), can('customers.read'));
  const [drawer, setDrawer] = useState<{ open: boolean; record: User | null }>({ open: false, record: null });
  const [resetting, setResetting] = useState<User | null>(null);
  const canWrite = can('users.write');
  const customerStaff = me.customerId != null;
  const builtinName = (code: string) => {
    const key = `roleName.${code}` as MessageKey;
    return key in zhCN ? t(key) : code;
  };
  const roleName = useMemo(() => new Map((roles.data ?? []).map((r) => [r.code, r.name])), [roles.data]);
  const teamName = useMemo(() => new Map((teams.data ?? []).map((x) => [x.id, x.name])), [teams.data]);
  const r = drawer.record;
  const formCustomer = Form.useWatch('customerId', form);
  // The customer whose contacts the account may be linked to: the one chosen, or the caller's own.
  const contactCustomer: Id | null = customerStaff ? me.customerId : (formCustomer ?? null);
  const anyFilter = !!(fv.q || fv.role || fv.customerId || fv.disabled);

  const roleOptions = useMemo(() => {
    // without roles.read (a customer administrator) offer the roles he may grant
    const known = roles.data ?? (customerStaff ? CUSTOMER_ROLES : []).map((code) => ({ code, name: builtinName(code) }));
    const codes = new Set(known.map((x) => x.code));
    const opts = known.map((x) => ({ value: x.code, label: x.name || x.code }));
    for (const c of r?.roleCodes ?? []) if (!codes.has(c)) opts.push({ value: c, label: builtinName(c) });
    return opts;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [roles.data, r, customerStaff, t]);

  const refresh = () => qc.invalidateQueries({ queryKey: ['/users'] });

  const submit = async (v: UserValues) => {
    const body: Record<string, unknown> = {
      displayName: v.displayName.trim(),
      email: v.email?.trim() || null,
      phone: v.phone?.trim() || null,
      roleCodes: v.roleCodes ?? [],
      locale: v.locale || 'zh-CN',
      contactId: contactCustomer != null ? (v.contactId ?? null) : null,
    };
    // customer staff manage their own customer's users: the server fills in the customer
    if (!customerStaff) {
      body.customerId = v.customerId ?? null;
      body.teamIds = v.customerId != null ? [] : (v.teamIds ?? []);
    }
    if (r) await api.patch(`/users/${r.id}`, { ...body, version: r.version });
    else await api.post('/users', { ...body, username: v.username.trim(), password: v.password });
    await refresh();
    // Editing oneself (a customer administrator linking his own contact) changes /auth/me.
    if (r?.id === me.id) await qc.invalidateQueries({ queryKey: ME_KEY });
  };

  const act = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      message.success(done);
      await refresh();
      return true;
    } catch (e) {
      message.error(errorText(e));
      return false;
    }
  };
  const unlock = (u: User) => act(() => USER_ACTIONS.unlock(u.id), t('users.unlocked'));
  const setDisabled = (u: User, disabled: boolean) =>
    act(() => (disabled ? USER_ACTIONS.disable(u.id) : USER_ACTIONS.enable(u.id)), disabled ? t('users.disabledDone') : t('users.enabledDone'));

  const closeDrawer = () => setDrawer((d) => ({ ...d, open: false }));

  return (
    <div data-testid="page-users">
      <PageHeader
        title={t('users.title')}
        subtitle={t('users.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()} aria-label={t('common.refresh')} />
            {canWrite && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ open: true, record: null })} data-testid="users-new">
                {t('users.new')}
              </Button>
            )}
          </>
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <SearchBox value={fv.q} onChange={(q) => filters.set({ q })} testid="users-search" width={240} />
          {can('roles.read') && (
            <Select
              allowClear
              placeholder={t('users.roles')}
              value={fv.role || undefined}
              onChange={(role?: string) => filters.set({ role })}
              options={(roles.data ?? []).map((x) => ({ value: x.code, label: x.name || x.code }))}
              style={{ width: 160 }}
              data-testid="users-filter-role"
            />
          )}
          {can('customers.read') && !customerStaff && (
            <RemoteSelect
              resource="customers"
              value={fv.customerId ? Number(fv.customerId) : null}
              onChange={(id) => filters.set({ customerId: id != null ? String(id) : null })}
              placeholder={t('users.filterCustomer')}
              style={{ width: 200 }}
              testid="users-filter-customer"
            />
          )}
          <Select
            allowClear
            placeholder={t('users.status')}
            value={fv.disabled || undefined}
            onChange={(disabled?: string) => filters.set({ disabled })}
            options={[
              { value: 'false', label: t('users.active') },
              { value: 'true', label: t('users.disabled') },
            ]}
            style={{ width: 120 }}
            data-testid="users-filter-status"
          />
          {anyFilter && (
            <Button onClick={filters.clear} data-testid="users-filter-reset">
              {t('common.reset')}
            </Button>
          )}
        </Flex>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <Table<User>
          rowKey="id"
          data-testid="users-table"
          dataSource={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 960 }}
          onRow={(rec) =>
            ({
              onClick: () => setDrawer({ open: true, record: rec }),
              style: { cursor: 'pointer' },
              'data-testid': 'users-row',
            }) as React.HTMLAttributes<HTMLElement>
          }
          locale={{
            emptyText: (
              <Empty description={anyFilter ? t('users.emptySearch') : t('users.empty')} data-testid="users-empty">
                {canWrite && !anyFilter && (
                  <Button type="primary" onClick={() => setDrawer({ open: true, record: null })}>
                    {t('users.new')}
                  </Button>
                )}
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('users.displayName'),
              dataIndex: 'displayName',
              render: (v: string, u) => (
                <Flex vertical>
                  <Typography.Link>{v || u.username}</Typography.Link>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {u.username}
                  </Typography.Text>
                </Flex>
              ),
            },
            {
              title: t('users.roles'),
              dataIndex: 'roleCodes',
              render: (codes: string[]) => (
                <Flex gap={4} wrap>
                  {(codes ?? []).map((c) => (
                    <Tag key={c} color="blue">
                      {roleName.get(c) ?? builtinName(c)}
                    </Tag>
                  ))}
                </Flex>
              ),
            },
            {
              title: t('users.customer'),
              dataIndex: 'customerId',
              width: 160,
              render: (v: Id | null) =>
                v != null ? <Tag color="orange">{customers.name(v)}</Tag> : <Typography.Text type="secondary">{t('users.provider')}</Typography.Text>,
            },
            {
              title: t('users.teams'),
              dataIndex: 'teamIds',
              responsive: ['lg'],
              render: (ids: Id[]) => (
                <Flex gap={4} wrap>
                  {(ids ?? []).map((id) => (
                    <Tag key={id}>{teamName.get(id) ?? `#${id}`}</Tag>
                  ))}
                </Flex>
              ),
            },
            { title: t('users.email'), dataIndex: 'email', ellipsis: true, responsive: ['xl'] },
            {
              title: t('users.status'),
              key: 'status',
              width: 110,
              render: (_: unknown, u) =>
                u.disabled ? (
                  <Tag data-testid="users-disabled">{t('users.disabled')}</Tag>
                ) : isLocked(u) ? (
                  <Tooltip title={t('users.lockedUntil', { time: fmtDateTime(u.lockedUntil) })}>
                    <Tag color="red" icon={<LockOutlined />} data-testid="users-locked">
                      {t('users.locked')}
                    </Tag>
                  </Tooltip>
                ) : (
                  <Tag color="green">{t('users.active')}</Tag>
                ),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 150,
              align: 'right',
              render: (_: unknown, u) =>
                canWrite && (
                  <Flex gap={4} justify="flex-end" onClick={(e) => e.stopPropagation()}>
                    {isLocked(u) && (
                      <Button type="link" size="small" icon={<UnlockOutlined />} onClick={() => unlock(u)} data-testid="users-unlock">
                        {t('users.unlock')}
                      </Button>
                    )}
                    <Button type="link" size="small" onClick={() => setDrawer({ open: true, record: u })}>
                      {t('common.edit')}
                    </Button>
                  </Flex>
                ),
            },
          ]}
        />
        <LoadMore list={list} testid="users" />
      </Card>
      <FormDrawer<UserValues>
        open={drawer.open}
        form={form}
        title={r ? t('users.edit') : t('users.new')}
        testid="user-form"
        recordKey={r?.id ?? 'new'}
        readOnly={!canWrite}
        initialValues={
          r
            ? {
                username: r.username,
                displayName: r.displayName,
                email: r.email ?? '',
                phone: r.phone ?? '',
                roleCodes: r.roleCodes ?? [],
                customerId: r.customerId,
                contactId: r.contactId ?? null,
                teamIds: r.teamIds ?? [],
                locale: (r.locale as Locale) ?? 'zh-CN',
              }
            : { roleCodes: [], teamIds: [], customerId: null, contactId: null, locale: 'zh-CN' }
        }
        onClose={closeDrawer}
        onSubmit={submit}
        extraFooter={
          r &&
          canWrite && (
            <>
              {isLocked(r) && (
                <Button icon={<UnlockOutlined />} onClick={() => unlock(r).then((ok) => ok && closeDrawer())} data-testid="user-form-unlock">
                  {t('users.unlock')}
                </Button>
              )}
              <Button icon={<KeyOutlined />} onClick={() => setResetting(r)} data-testid="user-form-reset-password">
                {t('users.resetPassword')}
              </Button>
              {r.disabled ? (
                <Button icon={<CheckCircleOutlined />} onClick={() => setDisabled(r, false).then((ok) => ok && closeDrawer())} data-testid="user-form-enable">
                  {t('users.enable')}
                </Button>
              ) : (
                r.id !== me.id && (
                  <Popconfirm
                    title={t('users.disableConfirm', { name: r.displayName || r.username })}
                    onConfirm={() => setDisabled(r, true).then((ok) => ok && closeDrawer())}
                    okButtonProps={{ danger: true, 'data-testid': 'user-form-disable-confirm' }}
                  >
                    <Button danger icon={<StopOutlined />} data-testid="user-form-disable">
                      {t('users.disable')}
                    </Button>
                  </Popconfirm>
                )
              )}
            </>
          )
        }
      >
        {r && isLocked(r) && (
          <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('users.lockedUntil', { time: fmtDateTime(r.lockedUntil) })} />
        )}
        {r?.disabled && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('users.isDisabled')} />}
        <Form.Item
          name="username"
          label={t('users.username')}
          extra={!r && t('users.usernameHelp')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('users.username') }) },
            { pattern: /^[A-Za-z0-9._@-]{3,64}$/, message: t('users.usernameHelp') },
          ]}
        >
          <Input maxLength={64} disabled={!!r} autoComplete="off" data-testid="user-form-username" autoFocus={!r} />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('users.displayName')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('users.displayName') }) }]}
        >
          <Input maxLength={100} data-testid="user-form-display-name" />
        </Form.Item>
        {!r && (
          <Form.Item
            name="password"
            label={t('users.password')}
            extra={t('users.passwordRule')}
            rules={[
              { required: true, message: t('common.required', { field: t('users.password') }) },
              { validator: (_, v: string) => (!v || passwordOk(v) ? Promise.resolve() : Promise.reject(new Error(t('users.passwordWeak')))) },
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="user-form-password" />
          </Form.Item>
        )}
        <Flex gap={12} wrap>
          <Form.Item
            name="email"
            label={t('users.email')}
            style={{ flex: '1 1 200px' }}
            rules={[{ type: 'email', message: t('common.invalidEmail', { field: t('users.email') }) }]}
          >
            <Input maxLength={254} inputMode="email" data-testid="user-form-email" />
          </Form.Item>
          <Form.Item name="phone" label={t('users.phone')} style={{ flex: '1 1 160px' }}>
            <Input maxLength={40} inputMode="tel" data-testid="user-form-phone" />
          </Form.Item>
        </Flex>
        {!customerStaff && (
          <Form.Item
            name="customerId"
            label={t('users.customer')}
            extra={t('users.customerHelp')}
            getValueFromEvent={(v: Id | null) => {
              // A contact of the previous customer cannot stay linked once another is chosen.
              form.setFieldValue('contactId', null);
              return v;
            }}
          >
            <RemoteSelect resource="customers" testid="user-form-customer" placeholder={t('users.provider')} />
          </Form.Item>
        )}
        <Form.Item
          name="roleCodes"
          label={t('users.roles')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.requiredSelect', { field: t('users.roles') }) }]}
        >
          <Select mode="multiple" options={roleOptions} loading={roles.isFetching} data-testid="user-form-roles" showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        {contactCustomer != null && can('customers.read') && (
          <Form.Item name="contactId" label={t('users.contact')} extra={t('users.contactHelp')}>
            <ContactPicker customerId={contactCustomer} />
          </Form.Item>
        )}
        {formCustomer == null && !customerStaff && (
          <Form.Item name="teamIds" label={t('users.teams')}>
            <Select
              mode="multiple"
              options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
              loading={teams.isFetching}
              showSearch={{ optionFilterProp: 'label' }}
              data-testid="user-form-teams"
            />
          </Form.Item>
        )}
        <Form.Item name="locale" label={t('users.locale')}>
          <Select
            data-testid="user-form-locale"
            options={[
              { value: 'zh-CN', label: '中文' },
              { value: 'en-US', label: 'English' },
            ]}
          />
        </Form.Item>
      </FormDrawer>
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </div>
  );
}
