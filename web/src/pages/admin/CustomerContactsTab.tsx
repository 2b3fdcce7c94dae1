import { useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Empty, Flex, Form, Input, Modal, Popconfirm, Select, Switch, Table, Tag, TreeSelect, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { API_BASE, api, isApiError, type FieldError } from '../../api/client';
import type { Contact, Customer, Id, ImportResult } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { FormDrawer } from '../../components/FormDrawer';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadMore, SearchBox, useKeysetList } from '../../components/KeysetList';
import { buildSiteTree, siteTreeOptions, useSites } from './CustomerSitesTab';

/** The server's rule for phone numbers (organisation/schema.ts). */
const PHONE_RE = /^[0-9+\- ]{5,20}$/;

interface ContactValues {
  name: string;
  title?: string;
  siteId?: Id | null;
  phone?: string;
  mobile?: string;
  email?: string;
  isVip?: boolean;
  notes?: string;
  emailNotify?: boolean;
  /** '' = automatic */
  locale?: '' | 'zh-CN' | 'en-US';
}

export interface ImportRowError {
  key: number;
  row: number | null;
  column: string;
  message: string;
}

/** Import errors name row and column; accept `{row, column}` or a field like `rows.3.phone`, `3.phone`, `C4`. */
export function parseImportError(fe: FieldError, i: number): ImportRowError {
  let row: number | null = typeof fe.row === 'number' ? fe.row : null;
  let column = typeof fe.column === 'string' ? fe.column : '';
  const field = fe.field ?? '';
  const cell = /^([A-Z]{1,3})(\d+)$/.exec(field);
  if (cell) {
    column ||= cell[1];
    row ??= Number(cell[2]);
  } else {
    if (row === null) {
      const m = /(\d+)/.exec(field);
      if (m) row = Number(m[1]);
    }
    if (!column)
      column = field
        .split(/[.\[\]/:,\s]+/)
        .filter((p) => p && !/^\d+$/.test(p) && !/^(rows?|line|行)$/i.test(p) && p !== 'body')
        .join('.');
  }
  // a problem with the file itself (not a cell) names no column
  if (row === null && /^(file|\(body\))$/.test(column)) column = '';
  return { key: i, row, column, message: fe.message };
}

function ImportModal({ customer, open, onClose }: { customer: Customer; open: boolean; onClose: () => void }) {
  const { t, errorText } = useI18n();
  const qc = useQueryClient();
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ ok: true; count: number | null } | { ok: false; text: string; rows: ImportRowError[] } | null>(null);

  const upload = async (file: File) => {
    if (!/\.xlsx$/i.test(file.name)) {
      setResult({ ok: false, text: t('contacts.importOnlyXlsx'), rows: [] });
      return;
    }
    setRunning(true);
    setResult(null);
    try {
      const fd = new FormData();
      fd.append('file', file, file.name);
      const res = await api.post<ImportResult | undefined>(`/customers/${customer.id}/contacts/import`, fd);
      const items = res && Array.isArray((res as { items?: unknown[] }).items) ? (res as { items: unknown[] }).items.length : undefined;
      const count = res?.imported ?? res?.created ?? items ?? null;
      setResult({ ok: true, count: typeof count === 'number' ? count : null });
      await qc.invalidateQueries({ queryKey: [`/customers/${customer.id}/contacts`] });
    } catch (e) {
      if (isApiError(e) && e.errors.length > 0) {
        const rows = e.errors.map(parseImportError).sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
        setResult({ ok: false, text: t('contacts.importFailed', { count: rows.length }), rows });
      } else setResult({ ok: false, text: errorText(e), rows: [] });
    } finally {
      setRunning(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('contacts.importTitle')}
      onCancel={() => !running && (setResult(null), onClose())}
      footer={
        <Button onClick={() => (setResult(null), onClose())} disabled={running} data-testid="contacts-import-close">
          {t('common.close')}
        </Button>
      }
      width={720}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('contacts.importHelp')}</Typography.Paragraph>
      <Typography.Paragraph>
        <a href={`${API_BASE}/contacts/import-template.xlsx`} download data-testid="contacts-import-template">
          <DownloadOutlined /> {t('contacts.importTemplate')}
        </a>
      </Typography.Paragraph>
      <div data-testid="contacts-import-upload">
      <Upload.Dragger
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        multiple={false}
        showUploadList={false}
        disabled={running}
        beforeUpload={(file) => {
          void upload(file as unknown as File);
          return false;
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{running ? t('contacts.importRunning') : t('contacts.importDrop')}</p>
      </Upload.Dragger>
      </div>
      {result?.ok && (
        <Alert
          style={{ marginTop: 16 }}
          type="success"
          showIcon
          data-testid="contacts-import-success"
          title={result.count !== null ? t('contacts.importDone', { count: result.count }) : t('contacts.importDoneGeneric')}
        />
      )}
      {result && !result.ok && (
        <>
          <Alert style={{ marginTop: 16 }} type="error" showIcon title={result.text} data-testid="contacts-import-failed" />
          {result.rows.length > 0 && (
            <Table<ImportRowError>
              style={{ marginTop: 12 }}
              size="small"
              rowKey="key"
              data-testid="contacts-import-errors"
              dataSource={result.rows}
              pagination={result.rows.length > 20 ? { pageSize: 20, size: 'small' } : false}
              columns={[
                { title: t('contacts.importRow'), dataIndex: 'row', width: 80, render: (v: number | null) => v ?? '—' },
                { title: t('contacts.importColumn'), dataIndex: 'column', width: 160, render: (v: string) => v || '—' },
                { title: t('contacts.importMessage'), dataIndex: 'message' },
              ]}
            />
          )}
        </>
      )}
    </Modal>
  );
}

export function ContactsTab({ customer }: { customer: Customer }) {
  const { t, errorText } = useI18n();
  const can = useCan();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const path = `/customers/${customer.id}/contacts`;
  const list = useKeysetList<Contact>(path, { q });
  const sites = useSites(customer.id);
  const tree = useMemo(() => buildSiteTree(sites.data ?? []), [sites.data]);
  const siteName = useMemo(() => new Map((sites.data ?? []).map((s) => [s.id, s.name])), [sites.data]);
  const [drawer, setDrawer] = useState<{ open: boolean; record: Contact | null }>({ open: false, record: null });
  const [importing, setImporting] = useState(false);
  const canWrite = can('customers.write');

  const submit = async (v: ContactValues) => {
    const body = {
      name: v.name.trim(),
      title: v.title?.trim() || null,
      siteId: v.siteId || null,
      phone: v.phone?.trim() || null,
      mobile: v.mobile?.trim() || null,
      email: v.email?.trim() || null,
      isVip: !!v.isVip,
      notes: v.notes?.trim() || null,
      emailNotify: v.emailNotify !== false,
      locale: v.locale || null,
    };
    const r = drawer.record;
    if (r) await api.patch(`/contacts/${r.id}`, { ...body, version: r.version });
    else await api.post(path, body);
    await qc.invalidateQueries({ queryKey: [path] });
  };
  const remove = async (c: Contact) => {
    try {
      await api.del(`/contacts/${c.id}`);
      message.success(t('common.deleted'));
      await qc.invalidateQueries({ queryKey: [path] });
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const r = drawer.record;

  return (
    <div data-testid="customer-contacts">
      <Flex justify="space-between" gap={12} wrap style={{ marginBottom: 12 }}>
        <SearchBox value={q} onChange={setQ} testid="contacts-search" />
        {canWrite && (
          <Flex gap={8} wrap>
            <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="contacts-import">
              {t('contacts.import')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ open: true, record: null })} data-testid="contacts-new">
              {t('contacts.new')}
            </Button>
          </Flex>
        )}
      </Flex>
      <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
      <Table<Contact>
        rowKey="id"
        data-testid="contacts-table"
        dataSource={list.items}
        loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
        pagination={false}
        scroll={{ x: 800 }}
        onRow={(rec) =>
          ({
            onClick: () => setDrawer({ open: true, record: rec }),
            style: { cursor: 'pointer' },
            'data-testid': 'contacts-row',
          }) as React.HTMLAttributes<HTMLElement>
        }
        locale={{
          emptyText: (
            <Empty description={t('contacts.empty')} data-testid="contacts-empty">
              {canWrite && !q && (
                <Flex gap={8} justify="center">
                  <Button type="primary" onClick={() => setDrawer({ open: true, record: null })}>
                    {t('contacts.new')}
                  </Button>
                  <Button onClick={() => setImporting(true)}>{t('contacts.import')}</Button>
                </Flex>
              )}
            </Empty>
          ),
        }}
        columns={[
          {
            title: t('contacts.name'),
            dataIndex: 'name',
            render: (v: string, c) => (
              <span>
                {v} {c.isVip && <Tag color="red">{t('contacts.vip')}</Tag>}
              </span>
            ),
          },
          { title: t('contacts.title'), dataIndex: 'title', width: 140 },
          { title: t('contacts.site'), dataIndex: 'siteId', width: 160, render: (v: Id | null) => (v != null ? (siteName.get(v) ?? '—') : '—') },
          { title: t('contacts.phone'), dataIndex: 'phone', width: 150 },
          { title: t('contacts.mobile'), dataIndex: 'mobile', width: 150 },
          {
            title: t('contacts.email'),
            dataIndex: 'email',
            ellipsis: true,
            render: (v: string | null, c: Contact) => (
              <>
                {v}{' '}
                {v && c.emailNotify === false && (
                  <Tag bordered={false} data-testid="contacts-email-off">
                    {t('contacts.emailOff')}
                  </Tag>
                )}
              </>
            ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 140,
            align: 'right',
            render: (_: unknown, c) =>
              canWrite && (
                <Flex gap={4} justify="flex-end" onClick={(e) => e.stopPropagation()}>
                  <Button type="link" size="small" onClick={() => setDrawer({ open: true, record: c })}>
                    {t('common.edit')}
                  </Button>
                  <Popconfirm title={t('common.deleteConfirm', { name: c.name })} onConfirm={() => remove(c)} okButtonProps={{ danger: true }}>
                    <Button type="link" size="small" danger data-testid="contacts-delete">
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Flex>
              ),
          },
        ]}
      />
      <LoadMore list={list} testid="contacts" />
      <FormDrawer<ContactValues>
        open={drawer.open}
        title={r ? t('contacts.edit') : t('contacts.new')}
        testid="contact-form"
        readOnly={!canWrite}
        recordKey={r?.id ?? 'new'}
        initialValues={
          r
            ? {
                name: r.name,
                title: r.title ?? '',
                siteId: r.siteId,
                phone: r.phone ?? '',
                mobile: r.mobile ?? '',
                email: r.email ?? '',
                isVip: r.isVip,
                notes: r.notes ?? '',
                emailNotify: r.emailNotify !== false,
                locale: r.locale ?? '',
              }
            : { isVip: false, emailNotify: true, locale: '', siteId: tree.length === 1 && !tree[0].children ? tree[0].id : null }
        }
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSubmit={submit}
      >
        <Form.Item
          name="name"
          label={t('contacts.name')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('contacts.name') }) }]}
        >
          <Input maxLength={100} data-testid="contact-form-name" autoFocus />
        </Form.Item>
        <Form.Item name="title" label={t('contacts.title')}>
          <Input maxLength={100} data-testid="contact-form-title" />
        </Form.Item>
        <Form.Item name="siteId" label={t('contacts.site')}>
          <TreeSelect allowClear treeDefaultExpandAll treeData={siteTreeOptions(tree)} data-testid="contact-form-site" />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item
            name="phone"
            label={t('contacts.phone')}
            style={{ flex: 1, minWidth: 180 }}
            rules={[{ pattern: PHONE_RE, message: t('contacts.phoneFormat', { field: t('contacts.phone') }) }]}
          >
            <Input maxLength={50} data-testid="contact-form-phone" inputMode="tel" />
          </Form.Item>
          <Form.Item
            name="mobile"
            label={t('contacts.mobile')}
            style={{ flex: 1, minWidth: 180 }}
            rules={[{ pattern: PHONE_RE, message: t('contacts.phoneFormat', { field: t('contacts.mobile') }) }]}
          >
            <Input maxLength={50} data-testid="contact-form-mobile" inputMode="tel" />
          </Form.Item>
        </Flex>
        <Form.Item
          name="email"
          label={t('contacts.email')}
          rules={[{ type: 'email', message: t('common.invalidEmail', { field: t('contacts.email') }) }]}
        >
          <Input maxLength={200} data-testid="contact-form-email" inputMode="email" />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="emailNotify" label={t('contacts.emailNotify')} valuePropName="checked" tooltip={t('contacts.emailNotifyHelp')} style={{ minWidth: 140 }}>
            <Switch data-testid="contact-form-email-notify" />
          </Form.Item>
          <Form.Item name="locale" label={t('contacts.locale')} style={{ flex: 1, minWidth: 180 }}>
            <Select
              data-testid="contact-form-locale"
              options={[
                { value: '', label: t('contacts.localeAuto') },
                { value: 'zh-CN', label: '中文' },
                { value: 'en-US', label: 'English' },
              ]}
            />
          </Form.Item>
        </Flex>
        <Form.Item name="isVip" label={t('contacts.isVip')} valuePropName="checked">
          <Switch data-testid="contact-form-vip" />
        </Form.Item>
        <Form.Item name="notes" label={t('common.notes')}>
          <Input.TextArea rows={2} maxLength={2000} data-testid="contact-form-notes" />
        </Form.Item>
      </FormDrawer>
      <ImportModal customer={customer} open={importing} onClose={() => setImporting(false)} />
    </div>
  );
}
