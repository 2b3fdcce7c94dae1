import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Checkbox, Form, Input, Space, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { api } from '../../api/client';
import { FormDrawer } from '../../components/FormDrawer';
import type { PartModel } from './api';
import { PartsFrame } from './shared';

interface Values {
  type: string;
  brand?: string;
  model: string;
  unit: string;
  serialTracked?: boolean;
  standin?: boolean;
  description?: string;
  disabled?: boolean;
}

/** 备件型号: spare parts and consumables by equipment type and model (REQ #175). */
export default function ModelsPage() {
  const { t } = useI18n();
  const can = useCan();
  const qc = useQueryClient();
  const models = useQuery({ queryKey: ['/part-models', 'all'], queryFn: () => api.get<PartModel[]>('/part-models', { includeDisabled: '1' }) });
  const [editing, setEditing] = useState<PartModel | 'new' | null>(null);
  const write = can('parts.write');
  const current = editing && editing !== 'new' ? editing : null;

  return (
    <PartsFrame testid="page-parts-models" extra={write && <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="parts-new-model">{t('pt.newModel')}</Button>}>
      <Table<PartModel>
        size="small"
        rowKey="id"
        loading={models.isLoading}
        dataSource={models.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        data-testid="parts-models-table"
        onRow={(r) => ({ onClick: () => write && setEditing(r), style: { cursor: write ? 'pointer' : undefined } })}
        columns={[
          { title: t('pt.type'), dataIndex: 'type' },
          { title: t('pt.brand'), dataIndex: 'brand', render: (b: string | null) => b ?? '—' },
          { title: t('pt.modelName'), dataIndex: 'model' },
          { title: t('pt.unit'), dataIndex: 'unit' },
          {
            title: '',
            key: 'flags',
            render: (_, r) => (
              <Space size={4} wrap>
                {r.standin && <Tag color="gold">{t('pt.standin')}</Tag>}
                {r.serialTracked && <Tag>{t('pt.serialTracked')}</Tag>}
                {r.disabled && <Tag color="default">{t('pt.disabled')}</Tag>}
              </Space>
            ),
          },
        ]}
      />
      <FormDrawer<Values>
        open={editing !== null}
        title={current ? t('pt.editModel') : t('pt.newModel')}
        testid="model-form"
        recordKey={current?.id ?? 'new'}
        initialValues={current ? { ...current, brand: current.brand ?? undefined, description: current.description ?? undefined } : { unit: '个' }}
        onClose={() => setEditing(null)}
        onSubmit={async (v) => {
          const body = { type: v.type, brand: v.brand || null, model: v.model, unit: v.unit, standin: !!v.standin, description: v.description || null };
          if (current) await api.patch(`/part-models/${current.id}`, { ...body, version: current.version, disabled: !!v.disabled });
          else await api.post('/part-models', { ...body, serialTracked: !!v.serialTracked });
          void qc.invalidateQueries({ queryKey: ['/part-models'] });
        }}
      >
        <Form.Item name="type" label={t('pt.type')} extra="硬盘、内存、电源模块、硒鼓、备机…" rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('pt.type') }) }]}>
          <Input maxLength={50} data-testid="model-type" />
        </Form.Item>
        <Form.Item name="brand" label={t('pt.brand')}>
          <Input maxLength={100} data-testid="model-brand" />
        </Form.Item>
        <Form.Item name="model" label={t('pt.modelName')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('pt.modelName') }) }]}>
          <Input maxLength={100} data-testid="model-model" />
        </Form.Item>
        <Form.Item name="unit" label={t('pt.unit')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('pt.unit') }) }]}>
          <Input maxLength={10} style={{ width: 120 }} data-testid="model-unit" />
        </Form.Item>
        {!current && (
          <Form.Item name="serialTracked" valuePropName="checked">
            <Checkbox data-testid="model-serial">{t('pt.serialTracked')}</Checkbox>
          </Form.Item>
        )}
        <Form.Item name="standin" valuePropName="checked">
          <Checkbox data-testid="model-standin">{t('pt.standin')}</Checkbox>
        </Form.Item>
        <Form.Item name="description" label={t('pt.description')}>
          <Input.TextArea maxLength={1000} autoSize={{ minRows: 2 }} />
        </Form.Item>
        {current && (
          <Form.Item name="disabled" valuePropName="checked">
            <Checkbox>{t('pt.disabled')}</Checkbox>
          </Form.Item>
        )}
      </FormDrawer>
    </PartsFrame>
  );
}
