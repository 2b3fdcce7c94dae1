import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Form, Input, InputNumber, List, Row, Select, Space, Typography } from 'antd';
import { DeleteOutlined, FilePdfOutlined, PlusOutlined, ShoppingCartOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useCan, useCurrentUser } from '../../auth/session';
import { api } from '../../api/client';
import type { Ticket } from '../../api/types';
import { FormDrawer } from '../../components/FormDrawer';
import type { Movement, Slip, Stock } from './api';
import { KindTag, ModelSelect, SerialSelect, useModels, useRefreshParts, WarehouseSelect } from './shared';

const OPEN = ['new', 'assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor', 'resolved'];

/**
 * 备件领用 on the ticket page: the parts taken for this ticket (each slip's PDF for the customer
 * to sign) and, for staff who may, the requisition drawer — built for a phone in a machine room:
 * one column, the available stock shown, serials picked from what is on the shelf.
 */
export function TicketPartsPanel({ ticket }: { ticket: Ticket; onChanged?: () => unknown }) {
  const { t, fmtDateTime } = useI18n();
  const can = useCan();
  const me = useCurrentUser();
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<Slip | null>(null);
  const [returning, setReturning] = useState<'return-unused' | 'return-faulty' | null>(null);
  const staff = me.customerId == null;
  const movements = useQuery({ queryKey: ['/tickets', ticket.id, 'part-movements'], queryFn: () => api.get<Movement[]>(`/tickets/${ticket.id}/part-movements`), enabled: staff && can('parts.read') });
  if (!staff || !can('parts.read')) return null;
  const mayRequisition = can('parts.write') && OPEN.includes(ticket.state);
  const items = movements.data ?? [];
  if (!items.length && !mayRequisition) return null;

  return (
    <Card
      size="small"
      title={<span><ShoppingCartOutlined /> {t('pt.panel.title')}</span>}
      extra={
        can('parts.write') && (
          <Space wrap size={4}>
            {items.length > 0 && <Button size="small" onClick={() => setReturning('return-unused')} data-testid="ticket-parts-return-unused">{t('pt.panel.returnUnused')}</Button>}
            <Button size="small" onClick={() => setReturning('return-faulty')} data-testid="ticket-parts-return-faulty">{t('pt.panel.returnFaulty')}</Button>
            {mayRequisition && <Button size="small" type="primary" icon={<ShoppingCartOutlined />} onClick={() => setOpen(true)} data-testid="ticket-parts-new">{t('pt.panel.new')}</Button>}
          </Space>
        )
      }
      data-testid="ticket-parts"
    >
      {created && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setCreated(null) }}
          style={{ marginBottom: 8 }}
          title={t('pt.req.created', { number: created.number })}
          action={<Button size="small" icon={<FilePdfOutlined />} href={`/api/v1/part-requisitions/${created.movements[0].id}/pdf`} target="_blank" data-testid="ticket-parts-slip-pdf">{t('pt.slipPdf')}</Button>}
          data-testid="ticket-parts-created"
        />
      )}
      {items.length === 0 ? (
        <Typography.Text type="secondary">{t('pt.panel.none')}</Typography.Text>
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(m) => (
            <List.Item key={m.id} data-testid={`ticket-part-${m.id}`} extra={m.kind === 'requisition' && <a href={`/api/v1/part-requisitions/${m.id}/pdf`} target="_blank" rel="noreferrer">{m.number}</a>}>
              <Space wrap size={6}>
                <KindTag kind={m.kind} />
                <span>{m.modelLabel}</span>
                <Typography.Text strong>× {m.quantity}{m.unit}</Typography.Text>
                {m.serial && <Typography.Text type="secondary">SN {m.serial}</Typography.Text>}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{m.byName} · {fmtDateTime(m.at)}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
      <RequisitionDrawer open={open} ticket={ticket} onClose={() => setOpen(false)} onCreated={setCreated} />
      <ReturnDrawer kind={returning} ticket={ticket} onClose={() => setReturning(null)} />
    </Card>
  );
}

interface Line {
  modelId?: number;
  quantity?: number;
  serials?: string[];
}
interface Values {
  warehouseId?: number;
  lines: Line[];
  note?: string;
}

/** The 备件领用单 drawer: warehouse (the depot or the customer's own store), lines, note. */
export function RequisitionDrawer({ open, ticket, onClose, onCreated }: { open: boolean; ticket: Ticket; onClose: () => void; onCreated: (s: Slip) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const warehouseId = Form.useWatch('warehouseId', form);
  const lines = Form.useWatch('lines', form) ?? [];
  const models = useModels();
  const refresh = useRefreshParts();
  const stock = useQuery({ queryKey: ['/part-stock', { warehouseId }], queryFn: () => api.get<Stock[]>('/part-stock', { warehouseId }), enabled: !!warehouseId });
  const available = (modelId?: number) => stock.data?.find((s) => s.modelId === modelId);
  const tracked = (modelId?: number) => !!models.data?.find((m) => m.id === modelId)?.serialTracked;

  return (
    <FormDrawer<Values>
      open={open}
      title={`${t('pt.req.title')} · ${ticket.number}`}
      testid="requisition-form"
      form={form}
      initialValues={{ lines: [{ quantity: 1 }] }}
      onClose={onClose}
      onSubmit={async (v) => {
        const slip = await api.post<Slip>('/part-requisitions', {
          ticketId: ticket.id,
          warehouseId: v.warehouseId,
          note: v.note || null,
          lines: v.lines.map((l) => (tracked(l.modelId) ? { modelId: l.modelId, quantity: l.serials?.length ?? 0, serials: l.serials ?? [] } : { modelId: l.modelId, quantity: l.quantity })),
        });
        refresh();
        onCreated(slip);
      }}
    >
      <Form.Item name="warehouseId" label={t('pt.req.warehouse')} rules={[{ required: true, message: t('common.required', { field: t('pt.req.warehouse') }) }]}>
        <WarehouseSelect only={(w) => w.customerId === null || w.customerId === ticket.customerId} testid="requisition-warehouse" />
      </Form.Item>
      <Form.List name="lines">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, i) => {
              const line = lines[i] ?? {};
              const s = available(line.modelId);
              return (
                <Card key={field.key} size="small" style={{ marginBottom: 8 }} data-testid={`requisition-line-${i}`}>
                  <Form.Item name={[field.name, 'modelId']} label={t('pt.model')} rules={[{ required: true, message: t('common.required', { field: t('pt.model') }) }]} extra={s && t('pt.req.available', { quantity: s.quantity, unit: s.unit })}>
                    <ModelSelect testid={`requisition-model-${i}`} />
                  </Form.Item>
                  <Row gutter={8} align="bottom">
                    <Col flex="auto">
                      {tracked(line.modelId) ? (
                        <Form.Item name={[field.name, 'serials']} label={t('pt.serials')} rules={[{ required: true, message: t('common.required', { field: t('pt.serials') }) }]}>
                          <SerialSelect warehouseId={warehouseId} modelId={line.modelId} testid={`requisition-serials-${i}`} />
                        </Form.Item>
                      ) : (
                        <Form.Item name={[field.name, 'quantity']} label={t('pt.quantity')} rules={[{ required: true, message: t('common.required', { field: t('pt.quantity') }) }]}>
                          <InputNumber min={1} max={100000} precision={0} size="large" style={{ width: '100%' }} data-testid={`requisition-quantity-${i}`} />
                        </Form.Item>
                      )}
                    </Col>
                    {fields.length > 1 && (
                      <Col flex="none">
                        <Form.Item>
                          <Button danger icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label="remove" />
                        </Form.Item>
                      </Col>
                    )}
                  </Row>
                </Card>
              );
            })}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ quantity: 1 })} block style={{ marginBottom: 16 }} data-testid="requisition-add-line">
              {t('pt.req.addLine')}
            </Button>
          </>
        )}
      </Form.List>
      <Form.Item name="note" label={t('pt.note')}>
        <Input maxLength={500} data-testid="requisition-note" />
      </Form.Item>
    </FormDrawer>
  );
}

interface ReturnValues {
  warehouseId?: number;
  modelId?: number;
  quantity?: number;
  serials?: string[] | string;
  note?: string;
}

/**
 * 退库 (parts taken for this ticket and not used, back on a shelf) and 交回故障件 (the part taken
 * out of the customer's device, kept as faulty): the depot or the customer's own store.
 */
function ReturnDrawer({ kind, ticket, onClose }: { kind: 'return-unused' | 'return-faulty' | null; ticket: Ticket; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<ReturnValues>();
  const modelId = Form.useWatch('modelId', form);
  const models = useModels();
  const refresh = useRefreshParts();
  const tracked = !!models.data?.find((m) => m.id === modelId)?.serialTracked;
  const held = useQuery({
    queryKey: ['/part-items', 'fitted', ticket.id, modelId],
    queryFn: () => api.get<Array<{ serial: string; ticketId: number | null }>>('/part-items', { modelId, state: 'fitted', limit: 500 }),
    enabled: kind === 'return-unused' && tracked,
  });
  const split = (v: string[] | string | undefined) => (Array.isArray(v) ? v : (v ?? '').split(/[\s,，;；]+/).map((x) => x.trim()).filter(Boolean));
  return (
    <FormDrawer<ReturnValues>
      open={kind !== null}
      title={kind === 'return-unused' ? t('pt.panel.returnUnused') : t('pt.panel.returnFaulty')}
      testid="parts-return-form"
      recordKey={kind}
      form={form}
      initialValues={{ quantity: 1 }}
      onClose={onClose}
      onSubmit={async (v) => {
        const serials = tracked ? split(v.serials) : undefined;
        await api.post(`/part-movements/${kind}`, { ticketId: ticket.id, warehouseId: v.warehouseId, modelId: v.modelId, quantity: tracked ? serials!.length : v.quantity, serials, note: v.note || null });
        refresh();
      }}
    >
      <Form.Item name="warehouseId" label={t('pt.warehouse')} rules={[{ required: true, message: t('common.required', { field: t('pt.warehouse') }) }]}>
        <WarehouseSelect only={(w) => w.customerId === null || w.customerId === ticket.customerId} testid="parts-return-warehouse" />
      </Form.Item>
      <Form.Item name="modelId" label={t('pt.model')} rules={[{ required: true, message: t('common.required', { field: t('pt.model') }) }]}>
        <ModelSelect testid="parts-return-model" />
      </Form.Item>
      {tracked ? (
        <Form.Item name="serials" label={t('pt.serials')} rules={[{ required: true, message: t('common.required', { field: t('pt.serials') }) }]}>
          {kind === 'return-unused' ? (
            <Select mode="multiple" options={(held.data ?? []).filter((i) => i.ticketId === ticket.id).map((i) => ({ value: i.serial, label: i.serial }))} data-testid="parts-return-serials" />
          ) : (
            <Input data-testid="parts-return-serials" />
          )}
        </Form.Item>
      ) : (
        <Form.Item name="quantity" label={t('pt.quantity')} rules={[{ required: true, message: t('common.required', { field: t('pt.quantity') }) }]}>
          <InputNumber min={1} max={100000} precision={0} size="large" style={{ width: '100%' }} data-testid="parts-return-quantity" />
        </Form.Item>
      )}
      <Form.Item name="note" label={t('pt.note')}>
        <Input maxLength={500} />
      </Form.Item>
    </FormDrawer>
  );
}
