import { useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { Alert, App, Button, Card, DatePicker, Empty, Flex, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { CopyOutlined, KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { api, asPage, type Page } from '../../api/client';
import type { ApiToken, Permission } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan, useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormDrawer } from '../../components/FormDrawer';

const TOKENS_KEY = ['/auth/tokens'];
/** Token scopes besides permission codes (server: platform/auth/permissions.ts). */
const ALL_SCOPE = '*';
const ACCOUNT_SCOPE = 'account';

interface Values {
  name: string;
  scopes: string[];
  expiry: string;
  expiresOn?: Dayjs;
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // insecure context: fall back to a temporary textarea
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

export default function ApiTokensPage() {
  const { t, errorText, fmtDateTime, fmtDate, formats } = useI18n();
  const me = useCurrentUser();
  const can = useCan();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<ApiToken | null>(null);
  const [form] = Form.useForm<Values>();
  const expiry = Form.useWatch('expiry', form);

  const tokens = useQuery({
    queryKey: TOKENS_KEY,
    queryFn: () => api.get<Page<ApiToken> | ApiToken[]>('/auth/tokens').then((d) => asPage(d).items),
  });
  const perms = useQuery({
    queryKey: ['/permissions', 'names'],
    queryFn: () => api.get<Page<Permission> | Permission[]>('/permissions', { limit: 200 }).then((d) => asPage(d).items),
    enabled: can('roles.read'),
    retry: false,
    staleTime: 5 * 60_000,
  });
  const permName = useMemo(() => new Map((perms.data ?? []).map((p) => [p.code, p.name])), [perms.data]);
  const specialScopes: Record<string, string> = { [ALL_SCOPE]: t('account.tokens.allScopes'), [ACCOUNT_SCOPE]: t('account.tokens.accountScope') };
  const scopeOptions = [
    ...Object.entries(specialScopes).map(([value, label]) => ({ value, label })),
    ...me.permissions.map((c) => ({ value: c, label: permName.get(c) ? `${permName.get(c)}（${c}）` : c })),
  ];
  const scopeLabel = (c: string) => specialScopes[c] ?? permName.get(c) ?? c;

  const submit = async (v: Values) => {
    let expiresInDays: number | null = null;
    if (v.expiry === 'custom') expiresInDays = v.expiresOn ? Math.max(1, Math.ceil(v.expiresOn.endOf('day').diff(dayjs(), 'day', true))) : null;
    else if (v.expiry !== 'never') expiresInDays = Number(v.expiry);
    const created = await api.post<ApiToken>('/auth/tokens', { name: v.name.trim(), scopes: v.scopes ?? [], expiresInDays });
    await qc.invalidateQueries({ queryKey: TOKENS_KEY });
    setShown(created);
  };
  const revoke = async (tk: ApiToken) => {
    try {
      await api.del(`/auth/tokens/${tk.id}`);
      message.success(t('account.tokens.revoked'));
      await qc.invalidateQueries({ queryKey: TOKENS_KEY });
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div data-testid="page-api-tokens">
      <PageHeader
        title={t('account.tokens.title')}
        subtitle={t('account.tokens.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="tokens-new">
            {t('account.tokens.new')}
          </Button>
        }
      />
      <Card>
        <ErrorAlert error={tokens.error} onRetry={() => tokens.refetch()} />
        <Table<ApiToken>
          rowKey="id"
          data-testid="tokens-table"
          dataSource={tokens.data ?? []}
          loading={tokens.isPending}
          pagination={false}
          scroll={{ x: 760 }}
          onRow={() => ({ 'data-testid': 'tokens-row' }) as React.HTMLAttributes<HTMLElement>}
          locale={{
            emptyText: (
              <Empty description={t('account.tokens.empty')} data-testid="tokens-empty">
                <Button type="primary" onClick={() => setCreating(true)}>
                  {t('account.tokens.new')}
                </Button>
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('account.tokens.name'),
              dataIndex: 'name',
              render: (v: string, tk) => (
                <Flex vertical>
                  <span>
                    <KeyOutlined /> {v}
                  </span>
                  {tk.prefix && (
                    <Typography.Text type="secondary" code style={{ fontSize: 12 }}>
                      {tk.prefix}…
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              title: t('account.tokens.scopes'),
              dataIndex: 'scopes',
              render: (s: string[]) => (
                <Flex gap={4} wrap>
                  {(s ?? []).map((c) => (
                    <Tag key={c}>{scopeLabel(c)}</Tag>
                  ))}
                </Flex>
              ),
            },
            {
              title: t('account.tokens.expiresAt'),
              dataIndex: 'expiresAt',
              width: 200,
              render: (v: string | null) =>
                !v ? (
                  t('account.tokens.never')
                ) : dayjs(v).isBefore(dayjs()) ? (
                  <Tag color="red">
                    {t('account.tokens.expired')} · {fmtDate(v)}
                  </Tag>
                ) : (
                  fmtDateTime(v)
                ),
            },
            { title: t('account.tokens.createdAt'), dataIndex: 'createdAt', width: 180, responsive: ['lg'], render: (v?: string) => fmtDateTime(v) || '—' },
            { title: t('account.tokens.lastUsed'), dataIndex: 'lastUsedAt', width: 180, responsive: ['lg'], render: (v?: string | null) => fmtDateTime(v) || '—' },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 100,
              align: 'right',
              render: (_: unknown, tk) => (
                <Popconfirm
                  title={t('account.tokens.revokeConfirm', { name: tk.name })}
                  onConfirm={() => revoke(tk)}
                  okButtonProps={{ danger: true, 'data-testid': 'tokens-revoke-confirm' }}
                >
                  <Button type="link" danger size="small" data-testid="tokens-revoke">
                    {t('account.tokens.revoke')}
                  </Button>
                </Popconfirm>
              ),
            },
          ]}
        />
      </Card>

      <FormDrawer<Values>
        open={creating}
        form={form}
        title={t('account.tokens.new')}
        testid="token-form"
        successMessage={t('account.tokens.created')}
        initialValues={{ scopes: [ALL_SCOPE], expiry: '90' }}
        aliases={{ expiresInDays: 'expiry' }}
        onClose={() => setCreating(false)}
        onSubmit={submit}
      >
        <Form.Item
          name="name"
          label={t('account.tokens.name')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('account.tokens.name') }) }]}
        >
          <Input maxLength={100} data-testid="token-form-name" autoFocus />
        </Form.Item>
        <Form.Item
          name="scopes"
          label={t('account.tokens.scopes')}
          extra={t('account.tokens.scopesHelp')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.requiredSelect', { field: t('account.tokens.scopes') }) }]}
        >
          <Select mode="multiple" options={scopeOptions} showSearch={{ optionFilterProp: 'label' }} data-testid="token-form-scopes" />
        </Form.Item>
        <Form.Item name="expiry" label={t('account.tokens.expiry')}>
          <Select
            data-testid="token-form-expiry"
            options={[
              ...[30, 90, 180, 365].map((d) => ({ value: String(d), label: t('account.tokens.days', { days: d }) })),
              { value: 'never', label: t('account.tokens.never') },
              { value: 'custom', label: t('account.tokens.custom') },
            ]}
          />
        </Form.Item>
        {expiry === 'custom' && (
          <Form.Item
            name="expiresOn"
            label={t('account.tokens.expiresAt')}
            rules={[{ required: true, message: t('common.requiredSelect', { field: t('account.tokens.expiresAt') }) }]}
          >
            <DatePicker
              format={formats.date}
              disabledDate={(d) => d.isBefore(dayjs().startOf('day'))}
              style={{ width: '100%' }}
              data-testid="token-form-expires-on"
            />
          </Form.Item>
        )}
      </FormDrawer>

      <Modal
        open={!!shown}
        title={t('account.tokens.created')}
        onCancel={() => setShown(null)}
        maskClosable={false}
        footer={
          <Button type="primary" onClick={() => setShown(null)} data-testid="token-shown-close">
            {t('common.close')}
          </Button>
        }
      >
        <Alert type="warning" showIcon title={t('account.tokens.showOnce')} style={{ marginBottom: 16 }} />
        <Flex gap={8} align="center">
          <Input.TextArea
            readOnly
            value={shown?.token ?? ''}
            autoSize={{ minRows: 2, maxRows: 4 }}
            style={{ fontFamily: 'monospace' }}
            onFocus={(e) => e.target.select()}
            data-testid="token-value"
          />
          <Button
            icon={<CopyOutlined />}
            onClick={async () => {
              if (shown?.token && (await copy(shown.token))) message.success(t('common.copied'));
            }}
            data-testid="token-copy"
          >
            {t('account.tokens.copyToken')}
          </Button>
        </Flex>
        {shown?.expiresAt && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
            {t('account.tokens.expiresAt')}: {fmtDateTime(shown.expiresAt)}
          </Typography.Paragraph>
        )}
      </Modal>
    </div>
  );
}
