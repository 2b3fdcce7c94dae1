import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Checkbox, Empty, Flex, Modal, Typography } from 'antd';
import { ShoppingCartOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { api } from '../../api/client';
import type { TicketPart } from './api';

export type PartUsed = { name: string; model: string | null; quantity: number; serial: string | null };

/**
 * The repair report form's 从领用单添加: the parts requisitioned for the ticket (less those
 * returned unused), picked into the report's parts list. Parts already listed (same name, model
 * and serial) are left unticked.
 */
export function PartsFromStock({ ticketId, listed, onAdd }: { ticketId: number; listed: Array<Partial<PartUsed>>; onAdd: (parts: PartUsed[]) => void }) {
  const { t } = useI18n();
  const can = useCan();
  const [open, setOpen] = useState(false);
  const [picked, setPicked] = useState<number[]>([]);
  const parts = useQuery({ queryKey: ['/tickets', ticketId, 'parts-used'], queryFn: () => api.get<TicketPart[]>(`/tickets/${ticketId}/parts-used`), enabled: open && can('parts.read') });
  if (!can('parts.read')) return null;
  const same = (a: Partial<PartUsed>, b: TicketPart) => (a.name ?? '') === b.name && (a.model ?? null) === b.model && (a.serial ?? null) === b.serial;
  const items = parts.data ?? [];
  return (
    <>
      <Button icon={<ShoppingCartOutlined />} size="large" block style={{ marginTop: 8 }} onClick={() => { setPicked([]); setOpen(true); }} data-testid="report-parts-from-stock">
        {t('pt.fromStock')}
      </Button>
      <Modal
        open={open}
        title={t('pt.fromStock')}
        onCancel={() => setOpen(false)}
        okText={t('pt.fromStockAdd')}
        okButtonProps={{ disabled: picked.length === 0, 'data-testid': 'report-parts-from-stock-ok' } as React.ComponentProps<typeof Button>}
        onOk={() => {
          onAdd(picked.map((i) => ({ name: items[i].name, model: items[i].model, quantity: items[i].quantity, serial: items[i].serial })));
          setOpen(false);
        }}
      >
        <Typography.Paragraph type="secondary">{t('pt.fromStockHint')}</Typography.Paragraph>
        {items.length === 0 && !parts.isLoading ? (
          <Empty description={t('pt.fromStockNone')} />
        ) : (
          <Flex vertical gap={8}>
            {items.map((p, i) => {
              const already = listed.some((l) => same(l, p));
              return (
                <Checkbox key={i} disabled={already} checked={picked.includes(i)} onChange={(e) => setPicked((x) => (e.target.checked ? [...x, i] : x.filter((y) => y !== i)))} data-testid={`report-stock-part-${i}`}>
                  {p.name} {p.model ?? ''} × {p.quantity}
                  {p.serial ? `（SN ${p.serial}）` : ''} <Typography.Text type="secondary">{p.number}</Typography.Text>
                </Checkbox>
              );
            })}
          </Flex>
        )}
      </Modal>
    </>
  );
}
