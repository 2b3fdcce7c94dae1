import { Form, Input, Radio } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../../i18n';
import { api } from '../../api/client';
import { FormDrawer } from '../../components/FormDrawer';
import { RemoteSelect } from '../../components/RemoteSelect';

interface Values {
  name: string;
  kind: 'depot' | 'customer';
  customerId?: number;
}

/** A new warehouse: the provider's depot or a store at a customer's site. */
export function WarehouseDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch('kind', form);
  return (
    <FormDrawer<Values>
      open={open}
      title={t('pt.newWarehouse')}
      testid="warehouse-form"
      form={form}
      initialValues={{ kind: 'customer' }}
      onClose={onClose}
      onSubmit={async (v) => {
        await api.post('/warehouses', { name: v.name, kind: v.kind, customerId: v.kind === 'customer' ? v.customerId : null });
        void qc.invalidateQueries({ queryKey: ['/warehouses'] });
      }}
    >
      <Form.Item name="kind" label={t('pt.warehouse')}>
        <Radio.Group optionType="button" options={[{ value: 'customer', label: t('pt.store') }, { value: 'depot', label: t('pt.depot') }]} data-testid="warehouse-kind" />
      </Form.Item>
      <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('common.name') }) }]}>
        <Input maxLength={100} data-testid="warehouse-name" />
      </Form.Item>
      {kind !== 'depot' && (
        <Form.Item name="customerId" label={t('pt.customer')} rules={[{ required: true, message: t('common.required', { field: t('pt.customer') }) }]}>
          <RemoteSelect resource="customers" testid="warehouse-customer" />
        </Form.Item>
      )}
    </FormDrawer>
  );
}
