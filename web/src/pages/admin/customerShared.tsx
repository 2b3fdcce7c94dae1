import { useQueryClient } from '@tanstack/react-query';
import { Form, Input, Radio, Select, Tag } from 'antd';
import { api } from '../../api/client';
import type { Customer, Tier } from '../../api/types';
import { useI18n } from '../../i18n';
import { FormDrawer } from '../../components/FormDrawer';
import { DEFAULT_TIME_ZONE, timeZoneOptions } from '../../components/timezones';

const TIER_COLORS: Record<number, string> = { 1: 'volcano', 2: 'gold', 3: 'blue' };

export function TierTag({ tier }: { tier: Tier | number | null | undefined }) {
  const { t } = useI18n();
  if (tier !== 1 && tier !== 2 && tier !== 3) return null;
  return (
    <Tag color={TIER_COLORS[tier]} data-testid={`tier-${tier}`}>
      {t(`customers.tier.${tier}` as 'customers.tier.1')}
    </Tag>
  );
}

interface CustomerValues {
  code: string;
  name: string;
  tier: Tier;
  timeZone: string;
  address?: string;
  notes?: string;
}

/** Create (record = null) or edit a customer. */
export function CustomerFormDrawer({
  open,
  record,
  onClose,
  onSaved,
}: {
  open: boolean;
  record: Customer | null;
  onClose: () => void;
  onSaved?: (c: Customer) => void;
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const editing = !!record;
  const initial: Partial<CustomerValues> = record
    ? {
        code: record.code,
        name: record.name,
        tier: record.tier,
        timeZone: record.timeZone,
        address: record.address ?? '',
        notes: record.notes ?? '',
      }
    : { tier: 2, timeZone: DEFAULT_TIME_ZONE };

  const submit = async (v: CustomerValues) => {
    const body = {
      code: v.code.trim(),
      name: v.name.trim(),
      tier: v.tier,
      timeZone: v.timeZone,
      address: v.address?.trim() || null,
      notes: v.notes?.trim() || null,
    };
    const saved = editing
      ? await api.patch<Customer>(`/customers/${record!.id}`, { ...body, version: record!.version })
      : await api.post<Customer>('/customers', body);
    await qc.invalidateQueries({ queryKey: ['/customers'] });
    onSaved?.(saved);
  };

  return (
    <FormDrawer<CustomerValues>
      open={open}
      title={editing ? t('customers.edit') : t('customers.new')}
      testid="customer-form"
      recordKey={record?.id ?? 'new'}
      initialValues={initial}
      onClose={onClose}
      onSubmit={submit}
      successMessage={editing ? t('common.saved') : t('common.created')}
    >
      <Form.Item
        name="name"
        label={t('customers.name')}
        rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('customers.name') }) }]}
      >
        <Input maxLength={200} data-testid="customer-form-name" autoFocus />
      </Form.Item>
      <Form.Item
        name="code"
        label={t('customers.code')}
        rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('customers.code') }) }]}
      >
        <Input maxLength={50} data-testid="customer-form-code" />
      </Form.Item>
      <Form.Item name="tier" label={t('customers.tier')} rules={[{ required: true }]}>
        <Radio.Group
          optionType="button"
          buttonStyle="solid"
          data-testid="customer-form-tier"
          options={[1, 2, 3].map((n) => ({
            value: n,
            label: <span data-testid={`customer-form-tier-${n}`}>{t(`customers.tier.${n}` as 'customers.tier.1')}</span>,
          }))}
        />
      </Form.Item>
      <Form.Item
        name="timeZone"
        label={t('customers.timeZone')}
        rules={[{ required: true, message: t('common.requiredSelect', { field: t('customers.timeZone') }) }]}
      >
        <Select
          showSearch={{ optionFilterProp: 'label' }}
          options={timeZoneOptions(record?.timeZone)}
          data-testid="customer-form-timezone"
        />
      </Form.Item>
      <Form.Item name="address" label={t('customers.address')}>
        <Input maxLength={500} data-testid="customer-form-address" />
      </Form.Item>
      <Form.Item name="notes" label={t('customers.notes')}>
        <Input.TextArea rows={3} maxLength={2000} data-testid="customer-form-notes" />
      </Form.Item>
    </FormDrawer>
  );
}
