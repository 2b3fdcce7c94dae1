import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { Alert, App, Button, Card, DatePicker, Descriptions, Drawer, Empty, Flex, Form, Input, InputNumber, Modal, Select, Space, Tag, Timeline, Typography, type ButtonProps } from 'antd';
import { AlertOutlined, CheckCircleOutlined, EditOutlined, PrinterOutlined, StopOutlined } from '@ant-design/icons';
import { api, applyFieldErrors, isApiError } from '../../api/client';
import { useI18n, type MessageKey } from '../../i18n';
import { useCan, useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { NotFoundPage } from '../../components/StatusPages';
import { ASSETS, CAMPAIGNS, DISPOSALS, WARRANTY_COLOR, disposalKey, fileUrl, resultKey, warrantyKey, type AssetPageData, type AssetRecord, type HistoryEntry } from './api';
import { CheckModal, type CheckTarget } from './CheckModal';
import './assets.css';

const DATE_FIELDS = ['purchaseDate', 'warrantyEnd', 'installedDate'] as const;

/**
 * A CI's asset page (资产页): what the QR code on its tag opens. Phone first: the big 报修 action,
 * the open verification campaign's check, the asset's details and history; the edit form and
 * disposal for staff.
 */
export default function AssetPage() {
  const id = Number(useParams().id);
  const { t, fmtDate, fmtDateTime, fmtNumber } = useI18n();
  const can = useCan();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const q = useQuery({ queryKey: [ASSETS, id], queryFn: () => api.get<AssetPageData>(`${ASSETS}/${id}`) });
  const history = useQuery({ queryKey: [ASSETS, id, 'history'], queryFn: () => api.get<HistoryEntry[]>(`${ASSETS}/${id}/history`) });
  const [editing, setEditing] = useState(false);
  const [disposing, setDisposing] = useState(false);
  const [fault, setFault] = useState(false);
  const [check, setCheck] = useState<{ campaignId: number; target: CheckTarget; initial: 'missing' } | null>(null);

  if (q.isError) return isApiError(q.error) && q.error.status === 404 ? <NotFoundPage /> : <ErrorAlert error={q.error} onRetry={() => q.refetch()} />;
  if (!q.data) return <Card loading />;
  const { ci, asset, campaigns } = q.data;
  const write = can('cmdb.write');
  const target: CheckTarget = { ciId: ci.id, ciName: ci.name, ciCode: ci.code, customerId: ci.customerId, siteId: ci.siteId, location: asset?.location ?? null };
  const refresh = () => qc.invalidateQueries({ queryKey: [ASSETS] });
  const checkFound = async (campaignId: number) => {
    await api.post(`${CAMPAIGNS}/${campaignId}/items/${ci.id}/check`, { result: 'found' });
    message.success(t('campaigns.check.saved'));
    await Promise.all([refresh(), qc.invalidateQueries({ queryKey: [CAMPAIGNS] })]);
  };

  return (
    <div data-testid="page-asset" className="asset-page">
      <PageHeader
        title={ci.name}
        subtitle={`${ci.code}${asset ? ` · ${asset.assetNo}` : ''}`}
        tags={
          <Space size={4} wrap>
            <Tag>{t(`assets.ciStatus.${ci.status}` as MessageKey)}</Tag>
            {asset && !asset.disposal && <Tag color={WARRANTY_COLOR[asset.warrantyStatus]}>{t(warrantyKey(asset.warrantyStatus))}</Tag>}
          </Space>
        }
      />
      {campaigns.map((c) => (
        <Alert
          key={c.id}
          type={c.result === 'pending' ? 'warning' : 'info'}
          showIcon
          style={{ marginBottom: 12 }}
          data-testid={`asset-campaign-${c.id}`}
          message={t('assets.page.inCampaign', { name: c.name, result: t(resultKey(c.result)) })}
          description={
            write && !c.decision ? (
              <Flex gap={8} wrap style={{ marginTop: 8 }}>
                <Button type="primary" size="large" icon={<CheckCircleOutlined />} onClick={() => checkFound(c.id)} data-testid="asset-check-found" className="asset-big">
                  {t('assets.page.found')}
                </Button>
                <Button size="large" onClick={() => setCheck({ campaignId: c.id, target, initial: 'missing' })} data-testid="asset-check-other" className="asset-big">
                  {t('campaigns.check.other')}
                </Button>
              </Flex>
            ) : null
          }
        />
      ))}
      {ci.status !== 'retired' && (can('tickets.write') || can('portal.use')) && (
        <Button type="primary" danger size="large" block icon={<AlertOutlined />} onClick={() => setFault(true)} className="asset-fault" data-testid="asset-report-fault">
          {t('assets.page.reportFault')}
          <span className="asset-fault-hint">{t('assets.page.reportFaultHint')}</span>
        </Button>
      )}
      <Card size="small" title={ci.typeName ?? ci.code} style={{ marginTop: 12 }}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, md: 3 }}>
          <Descriptions.Item label={t('assets.col.customer')}>{ci.customerName}</Descriptions.Item>
          <Descriptions.Item label={t('assets.field.site')}>{ci.siteName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('assets.field.serial')}>{ci.serial ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('assets.field.brand')}>{[ci.brand, ci.model].filter(Boolean).join(' ') || '—'}</Descriptions.Item>
          {ci.ip && <Descriptions.Item label={t('assets.field.ip')}>{ci.ip}</Descriptions.Item>}
        </Descriptions>
      </Card>
      <Card
        size="small"
        title={t('assets.title')}
        style={{ marginTop: 12 }}
        extra={
          <Space wrap>
            {asset && (
              <Button icon={<PrinterOutlined />} href={fileUrl(`${ASSETS}/labels.pdf`, { ciIds: ci.id, layout: 'label' })} target="_blank">
                {t('assets.page.tag')}
              </Button>
            )}
            {write && !asset?.disposal && (
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="asset-edit">
                {asset ? t('assets.page.edit') : t('assets.page.addAsset')}
              </Button>
            )}
            {write && asset && !asset.disposal && (
              <Button danger icon={<StopOutlined />} onClick={() => setDisposing(true)} data-testid="asset-dispose">
                {t('assets.page.dispose')}
              </Button>
            )}
          </Space>
        }
      >
        {!asset ? (
          <Empty description={t('assets.page.noAsset')} />
        ) : (
          <>
            {asset.disposal && <Alert type="error" showIcon style={{ marginBottom: 8 }} message={t('assets.page.disposed', { date: fmtDate(asset.disposedDate), disposal: t(disposalKey(asset.disposal)) })} description={asset.disposalNote} />}
            <Descriptions size="small" column={{ xs: 1, sm: 2, md: 3 }} data-testid="asset-details">
              <Descriptions.Item label={t('assets.field.assetNo')}>{asset.assetNo}</Descriptions.Item>
              <Descriptions.Item label={t('assets.field.location')}>{asset.location ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('assets.field.responsibleName')}>{asset.responsibleName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('assets.field.warrantyEnd')}>{asset.warrantyEnd ? fmtDate(asset.warrantyEnd) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('assets.field.maintenanceContract')}>{asset.maintenanceContract ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('assets.field.supplier')}>{asset.supplier ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('assets.field.purchaseDate')}>{asset.purchaseDate ? fmtDate(asset.purchaseDate) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('assets.field.purchaseOrder')}>{asset.purchaseOrder ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('assets.field.price')}>{asset.price === null ? '—' : fmtNumber(asset.price)}</Descriptions.Item>
              <Descriptions.Item label={t('assets.field.installedDate')}>{asset.installedDate ? fmtDate(asset.installedDate) : '—'}</Descriptions.Item>
            </Descriptions>
          </>
        )}
      </Card>
      <Card size="small" title={t('assets.page.history')} style={{ marginTop: 12 }}>
        {history.data?.length ? (
          <Timeline
            items={history.data.map((h) => ({
              key: h.id,
              children: (
                <div>
                  <Typography.Text strong>{h.action === 'asset' || h.action === 'verified' ? t(`assets.history.${h.action}` as MessageKey) : h.action}</Typography.Text>{' '}
                  <Typography.Text type="secondary">
                    {fmtDateTime(h.at)} · {h.actorName}
                  </Typography.Text>
                  <div className="asset-history-changes">{changesText(h.changes, (k) => (FIELD_LABELS.has(k) ? t(`assets.field.${k}` as MessageKey) : k))}</div>
                </div>
              ),
            }))}
          />
        ) : (
          <Typography.Text type="secondary">{t('assets.history.empty')}</Typography.Text>
        )}
      </Card>
      <AssetForm open={editing} ciId={ci.id} asset={asset} onClose={() => setEditing(false)} onSaved={refresh} />
      {asset && <DisposeModal open={disposing} ciId={ci.id} asset={asset} onClose={() => setDisposing(false)} onSaved={refresh} />}
      <FaultModal open={fault} data={q.data} onClose={() => setFault(false)} />
      <CheckModal campaignId={check?.campaignId ?? 0} target={check?.target ?? null} initial={check?.initial} onClose={() => setCheck(null)} />
    </div>
  );
}

/** "位置：A → B；序列号：…" from a history entry's changes. */
const FIELD_LABELS = new Set(['assetNo', 'supplier', 'purchaseDate', 'purchaseOrder', 'price', 'warrantyEnd', 'maintenanceContract', 'location', 'responsibleName', 'installedDate', 'disposal', 'serial', 'brand', 'model', 'name']);

function changesText(changes: unknown, label: (field: string) => string): string {
  const c = (changes ?? {}) as { changes?: Record<string, [unknown, unknown]>; campaign?: string; result?: string; decision?: string; note?: string };
  const parts = Object.entries(c.changes ?? {}).map(([k, [a, b]]) => `${label(k)}：${a ?? '—'} → ${b ?? '—'}`);
  if (c.campaign) parts.unshift(`${c.campaign} · ${c.result ?? ''}${c.decision ? ` · ${c.decision}` : ''}`);
  if (c.note) parts.push(c.note);
  return parts.join('；');
}

function AssetForm({ open, ciId, asset, onClose, onSaved }: { open: boolean; ciId: number; asset: AssetRecord | null; onClose: () => void; onSaved: () => void }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const initial = asset ? { ...asset, ...Object.fromEntries(DATE_FIELDS.map((f) => [f, asset[f] ? dayjs(asset[f]) : null])) } : {};
  const submit = async () => {
    const v = await form.validateFields();
    const body: Record<string, unknown> = { version: asset?.version ?? null };
    for (const k of ['assetNo', 'supplier', 'purchaseOrder', 'price', 'maintenanceContract', 'location', 'responsibleName']) body[k] = v[k] ?? null;
    for (const k of DATE_FIELDS) body[k] = v[k] ? (v[k] as dayjs.Dayjs).format('YYYY-MM-DD') : null;
    setSaving(true);
    try {
      await api.put(`${ASSETS}/${ciId}`, body);
      message.success(t('assets.page.saved'));
      onSaved();
      onClose();
    } catch (e) {
      if (!applyFieldErrors(form, e).length) message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Drawer
      open={open}
      title={asset ? t('assets.page.edit') : t('assets.page.addAsset')}
      onClose={onClose}
      destroyOnHidden
      size="large"
      data-testid="asset-form"
      footer={
        <Button type="primary" block size="large" loading={saving} onClick={submit} data-testid="asset-form-submit">
          {t('common.save')}
        </Button>
      }
    >
      <Form form={form} layout="vertical" initialValues={initial}>
      <Form.Item name="assetNo" label={t('assets.field.assetNo')} rules={[{ required: true }]}>
        <Input data-testid="asset-form-assetNo" />
      </Form.Item>
      <Form.Item name="location" label={t('assets.field.location')}>
        <Input data-testid="asset-form-location" />
      </Form.Item>
      <Form.Item name="responsibleName" label={t('assets.field.responsibleName')}>
        <Input />
      </Form.Item>
      <Form.Item name="warrantyEnd" label={t('assets.field.warrantyEnd')}>
        <DatePicker style={{ width: '100%' }} data-testid="asset-form-warrantyEnd" />
      </Form.Item>
      <Form.Item name="maintenanceContract" label={t('assets.field.maintenanceContract')}>
        <Input />
      </Form.Item>
      <Form.Item name="supplier" label={t('assets.field.supplier')}>
        <Input />
      </Form.Item>
      <Form.Item name="purchaseDate" label={t('assets.field.purchaseDate')}>
        <DatePicker style={{ width: '100%' }} />
      </Form.Item>
      <Form.Item name="purchaseOrder" label={t('assets.field.purchaseOrder')}>
        <Input />
      </Form.Item>
      <Form.Item name="price" label={t('assets.field.price')}>
        <InputNumber min={0} precision={2} style={{ width: '100%' }} data-testid="asset-form-price" />
      </Form.Item>
      <Form.Item name="installedDate" label={t('assets.field.installedDate')}>
        <DatePicker style={{ width: '100%' }} />
      </Form.Item>
      </Form>
    </Drawer>
  );
}

function DisposeModal({ open, ciId, asset, onClose, onSaved }: { open: boolean; ciId: number; asset: AssetRecord; onClose: () => void; onSaved: () => void }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const submit = async () => {
    const v = await form.validateFields();
    try {
      await api.post(`${ASSETS}/${ciId}/dispose`, { version: asset.version, disposal: v.disposal, date: (v.date as dayjs.Dayjs).format('YYYY-MM-DD'), note: v.note ?? null });
      onSaved();
      onClose();
    } catch (e) {
      if (!applyFieldErrors(form, e).length) message.error(errorText(e));
    }
  };
  return (
    <Modal open={open} title={t('assets.page.dispose')} onCancel={onClose} onOk={submit} okButtonProps={{ danger: true, 'data-testid': 'dispose-ok' } as ButtonProps} destroyOnHidden>
      <Alert type="warning" showIcon message={t('assets.disposeConfirm')} style={{ marginBottom: 12 }} />
      <Form form={form} layout="vertical" initialValues={{ date: dayjs() }}>
        <Form.Item name="disposal" label={t('assets.field.disposal')} rules={[{ required: true }]}>
          <Select options={DISPOSALS.map((d) => ({ value: d, label: t(disposalKey(d)) }))} />
        </Form.Item>
        <Form.Item name="date" label={t('assets.field.disposalDate')} rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="note" label={t('assets.field.note')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 报修 from the asset page: a ticket of the CI's customer and site naming the CI, then its page. */
function FaultModal({ open, data, onClose }: { open: boolean; data: AssetPageData; onClose: () => void }) {
  const { t, errorText } = useI18n();
  const me = useCurrentUser();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const staff = me.customerId == null;
  const { ci, asset } = data;
  const submit = async () => {
    const v = await form.validateFields();
    const ciLine = t('assets.fault.ciLine', { code: ci.code, name: ci.name, assetNo: asset?.assetNo ?? '—' });
    setSaving(true);
    try {
      const body = {
        customerId: ci.customerId,
        siteId: ci.siteId,
        kind: 'incident',
        title: v.title,
        description: `${v.description ? `${v.description}\n\n` : ''}${ciLine}`,
        impact: 'medium',
        urgency: v.urgency,
        reportedAt: new Date().toISOString(),
        ...(staff ? { callerName: v.callerName, callerPhone: v.callerPhone || undefined } : {}),
      };
      // The ticket names the CI (docs/CMDB.md); a server without that field still gets the CI's code in the description.
      const ticket = await api.post<{ id: number; number: string }>('/tickets', { ...body, ciIds: [ci.id] }).catch((e: unknown) => {
        if (isApiError(e) && e.status === 400 && e.errors.some((x) => x.code === 'unknownKey')) return api.post<{ id: number; number: string }>('/tickets', body);
        throw e;
      });
      message.success(t('assets.fault.done', { number: ticket.number }));
      navigate(staff ? `/tickets/${ticket.id}` : `/portal/tickets/${ticket.id}`);
    } catch (e) {
      if (!applyFieldErrors(form, e).length) message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open={open} title={`${t('assets.page.reportFault')} · ${ci.name}`} onCancel={onClose} destroyOnHidden footer={<Button type="primary" danger size="large" block loading={saving} onClick={submit} data-testid="fault-submit">{t('assets.fault.submit')}</Button>}>
      <Typography.Paragraph type="secondary">
        {ci.customerName}
        {ci.siteName ? ` · ${ci.siteName}` : ''} · {ci.code}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ title: t('assets.fault.defaultTitle', { name: ci.name }), urgency: 'medium', callerName: me.displayName }}>
        <Form.Item name="title" label={t('assets.fault.title')} rules={[{ required: true }]}>
          <Input size="large" data-testid="fault-title" />
        </Form.Item>
        <Form.Item name="description" label={t('assets.fault.description')}>
          <Input.TextArea rows={3} data-testid="fault-description" />
        </Form.Item>
        <Form.Item name="urgency" label={t('assets.fault.urgency')}>
          <Select
            size="large"
            options={(['high', 'medium', 'low'] as const).map((u) => ({ value: u, label: t(`sla.axis.urgency.${u}` as MessageKey) }))}
          />
        </Form.Item>
        {staff && (
          <Flex gap={8}>
            <Form.Item name="callerName" label={t('assets.fault.caller')} rules={[{ required: true }]} style={{ flex: 1 }}>
              <Input size="large" />
            </Form.Item>
            <Form.Item name="callerPhone" label={t('assets.fault.phone')} style={{ flex: 1 }}>
              <Input size="large" inputMode="tel" data-testid="fault-phone" />
            </Form.Item>
          </Flex>
        )}
      </Form>
    </Modal>
  );
}
