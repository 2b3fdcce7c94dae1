import { useState, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Form, Input, InputNumber, Select, Tabs, Tag } from 'antd';
import { useI18n, type MessageKey } from '../../i18n';
import { api } from '../../api/client';
import { FormDrawer } from '../../components/FormDrawer';
import { PageHeader } from '../../components/PageHeader';
import type { ItemState, MovementKind, PartModel, Slip, Stock, Warehouse } from './api';

const TABS = [
  { path: '/parts', label: 'pt.tab.stock' },
  { path: '/parts/movements', label: 'pt.tab.movements' },
  { path: '/parts/standins', label: 'pt.tab.standins' },
  { path: '/parts/models', label: 'pt.tab.models' },
] as const satisfies ReadonlyArray<{ path: string; label: MessageKey }>;

/** The parts pages' frame: the title, the actions of the page and the tabs between stock, ledger, stand-ins and models. */
export function PartsFrame({ extra, children, testid }: { extra?: ReactNode; children: ReactNode; testid: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  return (
    <div data-testid={testid}>
      <PageHeader title={t('pt.title')} subtitle={t('pt.subtitle')} extra={extra} />
      <Tabs activeKey={pathname} onChange={(k) => navigate(k)} items={TABS.map((x) => ({ key: x.path, label: <span data-testid={`parts-tab-${x.path.split('/')[2] ?? 'stock'}`}>{t(x.label)}</span> }))} style={{ marginBottom: 4 }} />
      {children}
    </div>
  );
}

export function useWarehouses() {
  return useQuery({ queryKey: ['/warehouses'], queryFn: () => api.get<Warehouse[]>('/warehouses') });
}

export function useModels() {
  return useQuery({ queryKey: ['/part-models'], queryFn: () => api.get<PartModel[]>('/part-models') });
}

const KIND_COLOR: Record<MovementKind, string> = {
  stock_in: 'green',
  requisition: 'blue',
  return_faulty: 'volcano',
  return_unused: 'cyan',
  transfer: 'purple',
  lend: 'gold',
  lend_return: 'lime',
  adjust: 'magenta',
  scrap: 'default',
};

export function KindTag({ kind }: { kind: MovementKind }) {
  const { t } = useI18n();
  return <Tag color={KIND_COLOR[kind]}>{t(`pt.kind.${kind}`)}</Tag>;
}

export function StateTag({ state }: { state: ItemState }) {
  const { t } = useI18n();
  const color = state === 'in_stock' ? 'green' : state === 'lent' ? 'gold' : state === 'faulty' ? 'volcano' : state === 'fitted' ? 'blue' : 'default';
  return <Tag color={color}>{t(`pt.state.${state}`)}</Tag>;
}

export function warehouseLabel(w: Warehouse, t: (k: MessageKey) => string): string {
  return w.kind === 'depot' ? `${w.name}（${t('pt.depot')}）` : `${w.name}（${w.customerName ?? t('pt.store')}）`;
}

export function WarehouseSelect({ value, onChange, only, testid, allowClear }: { value?: number; onChange?: (v: number) => void; only?: (w: Warehouse) => boolean; testid: string; allowClear?: boolean }) {
  const { t } = useI18n();
  const list = useWarehouses();
  return (
    <Select
      value={value}
      onChange={onChange}
      allowClear={allowClear}
      showSearch={{ optionFilterProp: 'label' }}
      loading={list.isLoading}
      options={(list.data ?? []).filter((w) => !w.disabled && (!only || only(w))).map((w) => ({ value: w.id, label: warehouseLabel(w, t) }))}
      placeholder={t('pt.warehouse')}
      style={{ width: '100%' }}
      data-testid={testid}
    />
  );
}

export function ModelSelect({ value, onChange, only, testid }: { value?: number; onChange?: (v: number) => void; only?: (m: PartModel) => boolean; testid: string }) {
  const { t } = useI18n();
  const list = useModels();
  return (
    <Select
      value={value}
      onChange={onChange}
      showSearch={{ optionFilterProp: 'label' }}
      loading={list.isLoading}
      options={(list.data ?? []).filter((m) => !m.disabled && (!only || only(m))).map((m) => ({ value: m.id, label: `${m.label}（${m.unit}）` }))}
      placeholder={t('pt.model')}
      style={{ width: '100%' }}
      data-testid={testid}
    />
  );
}

/** Serial numbers of a model's units on the shelf of a warehouse, to pick from. */
export function SerialSelect({ warehouseId, modelId, value, onChange, testid, multiple = true }: { warehouseId?: number; modelId?: number; value?: string[] | string; onChange?: (v: string[] | string) => void; testid: string; multiple?: boolean }) {
  const { t } = useI18n();
  const items = useQuery({
    queryKey: ['/part-items', warehouseId, modelId, 'in_stock'],
    queryFn: () => api.get<Array<{ serial: string }>>('/part-items', { warehouseId, modelId, state: 'in_stock', limit: 500 }),
    enabled: !!warehouseId && !!modelId,
  });
  return (
    <Select
      mode={multiple ? 'multiple' : undefined}
      value={value}
      onChange={onChange}
      showSearch
      options={(items.data ?? []).map((i) => ({ value: i.serial, label: i.serial }))}
      placeholder={t('pt.req.pickSerial')}
      style={{ width: '100%' }}
      data-testid={testid}
    />
  );
}

/** Invalidate what a movement changes. */
export function useRefreshParts() {
  const qc = useQueryClient();
  return () => {
    for (const k of ['/part-stock', '/part-items', '/part-movements', '/tickets']) void qc.invalidateQueries({ queryKey: [k] });
  };
}

export type StockAction = 'stockIn' | 'transfer' | 'adjust' | 'scrap' | 'setMin';

interface ActionValues {
  warehouseId?: number;
  toWarehouseId?: number;
  modelId?: number;
  quantity?: number;
  serials?: string[] | string;
  counted?: number;
  minQuantity?: number;
  note?: string;
  reason?: string;
}

/**
 * One drawer for the warehouse keeper's movements: stock in (serials typed one per line for
 * tracked models), transfer, count correction, scrap and the minimum. Server field errors land
 * on the fields.
 */
export function StockActionDrawer({ action, initial, onClose }: { action: StockAction | null; initial?: Partial<Stock>; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<ActionValues>();
  const models = useModels();
  const refresh = useRefreshParts();
  const [modelId, setModelId] = useState<number | undefined>(initial?.modelId);
  const [warehouseId, setWarehouseId] = useState<number | undefined>(initial?.warehouseId);
  const model = models.data?.find((m) => m.id === modelId);
  const tracked = !!model?.serialTracked;
  const title = action ? t(action === 'setMin' ? 'pt.setMin' : (`pt.${action}` as MessageKey)) : '';
  const lines = (v: string[] | string | undefined) => (Array.isArray(v) ? v : (v ?? '').split(/[\s,，;；]+/).map((s) => s.trim()).filter(Boolean));

  const submit = async (v: ActionValues) => {
    const serials = tracked ? lines(v.serials) : undefined;
    let slip: Slip | undefined;
    if (action === 'stockIn') slip = await api.post<Slip>('/part-movements/stock-in', { warehouseId: v.warehouseId, modelId: v.modelId, quantity: tracked ? serials!.length : v.quantity, serials, note: v.note || null });
    if (action === 'transfer') slip = await api.post<Slip>('/part-movements/transfer', { fromWarehouseId: v.warehouseId, toWarehouseId: v.toWarehouseId, modelId: v.modelId, quantity: tracked ? serials!.length : v.quantity, serials, note: v.note || null });
    if (action === 'adjust') slip = await api.post<Slip>('/part-movements/adjust', { warehouseId: v.warehouseId, modelId: v.modelId, counted: v.counted, reason: v.reason });
    if (action === 'scrap') slip = await api.post<Slip>('/part-movements/scrap', { warehouseId: v.warehouseId, modelId: v.modelId, quantity: tracked ? serials!.length : v.quantity, serials, reason: v.reason });
    if (action === 'setMin') await api.put('/part-stock/minimum', { warehouseId: v.warehouseId, modelId: v.modelId, minQuantity: v.minQuantity });
    refresh();
    return slip;
  };

  return (
    <FormDrawer<ActionValues>
      open={action !== null}
      title={title}
      testid="parts-action"
      recordKey={`${action}-${initial?.warehouseId}-${initial?.modelId}`}
      form={form}
      initialValues={{ warehouseId: initial?.warehouseId, modelId: initial?.modelId, quantity: 1, minQuantity: initial?.minQuantity, counted: initial?.quantity }}
      onValuesChange={(c) => {
        if ('modelId' in c) setModelId(c.modelId);
        if ('warehouseId' in c) setWarehouseId(c.warehouseId);
      }}
      onClose={onClose}
      onSubmit={submit}
      width={520}
      aliases={{ fromWarehouseId: 'warehouseId' }}
    >
      <Form.Item name="warehouseId" label={action === 'transfer' ? t('pt.from') : t('pt.warehouse')} rules={[{ required: true, message: t('common.required', { field: t('pt.warehouse') }) }]}>
        <WarehouseSelect testid="parts-action-warehouse" />
      </Form.Item>
      {action === 'transfer' && (
        <Form.Item name="toWarehouseId" label={t('pt.to')} rules={[{ required: true, message: t('common.required', { field: t('pt.to') }) }]}>
          <WarehouseSelect testid="parts-action-to" />
        </Form.Item>
      )}
      <Form.Item name="modelId" label={t('pt.model')} rules={[{ required: true, message: t('common.required', { field: t('pt.model') }) }]}>
        <ModelSelect testid="parts-action-model" only={action === 'adjust' ? (m) => !m.serialTracked : undefined} />
      </Form.Item>
      {(action === 'stockIn' || action === 'transfer' || action === 'scrap') &&
        (tracked ? (
          <Form.Item name="serials" label={t('pt.serials')} extra={t('pt.serialsHint')} rules={[{ required: true, message: t('common.required', { field: t('pt.serials') }) }]}>
            {action === 'stockIn' ? <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} data-testid="parts-action-serials" /> : <SerialSelect warehouseId={warehouseId} modelId={modelId} testid="parts-action-serials" />}
          </Form.Item>
        ) : (
          <Form.Item name="quantity" label={`${t('pt.quantity')}${model ? `（${model.unit}）` : ''}`} rules={[{ required: true, message: t('common.required', { field: t('pt.quantity') }) }]}>
            <InputNumber min={1} max={100000} precision={0} style={{ width: '100%' }} data-testid="parts-action-quantity" />
          </Form.Item>
        ))}
      {action === 'adjust' && (
        <Form.Item name="counted" label={t('pt.counted')} rules={[{ required: true, message: t('common.required', { field: t('pt.counted') }) }]}>
          <InputNumber min={0} max={100000} precision={0} style={{ width: '100%' }} data-testid="parts-action-counted" />
        </Form.Item>
      )}
      {action === 'setMin' && (
        <Form.Item name="minQuantity" label={t('pt.minQuantity')} rules={[{ required: true, message: t('common.required', { field: t('pt.minQuantity') }) }]}>
          <InputNumber min={0} max={100000} precision={0} style={{ width: '100%' }} data-testid="parts-action-min" />
        </Form.Item>
      )}
      {(action === 'adjust' || action === 'scrap') && (
        <Form.Item name="reason" label={t('pt.reason')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('pt.reason') }) }]}>
          <Input maxLength={500} data-testid="parts-action-reason" />
        </Form.Item>
      )}
      {(action === 'stockIn' || action === 'transfer') && (
        <Form.Item name="note" label={t('pt.note')}>
          <Input maxLength={500} data-testid="parts-action-note" />
        </Form.Item>
      )}
    </FormDrawer>
  );
}
