import { useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { Col, DatePicker, Divider, Form, Input, InputNumber, Row, Select, Typography } from 'antd';
import { api } from '../../api/client';
import { useI18n } from '../../i18n';
import { FormDrawer } from '../../components/FormDrawer';
import { RemoteSelect } from '../../components/RemoteSelect';
import { CIS, CI_STATUSES, CRITICALITIES, criticalityKey, statusKey, typeLabel, useCiTypes, type AttributeDef, type AttributeValue, type Ci, type CiStatus } from './api';
import { attrTitle } from './shared';
import { useCustomerSites } from './CiListPage';

interface CiValues {
  customerId?: number;
  typeId?: number;
  code: string;
  name: string;
  siteId?: number | null;
  status: CiStatus;
  criticality: number;
  ownerId?: number | null;
  ownerName?: string;
  brand?: string;
  model?: string;
  serial?: string;
  ip?: string;
  hostname?: string;
  description?: string;
  attributes?: Record<string, AttributeValue | null | undefined>;
}

const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const textOrNull = (v: string | undefined) => (v && v.trim() ? v.trim() : null);

/** One attribute's input, by its kind (docs/CMDB.md "Types and attributes"); its rules mirror the server's. */
export function AttributeField({ def }: { def: AttributeDef }) {
  const { t, locale } = useI18n();
  const label = attrTitle(def, locale);
  const rules = [
    ...(def.required ? [{ required: true, message: t('common.required', { field: label }) }] : []),
    ...((def.kind === 'number' || def.kind === 'integer') && (def.min !== undefined || def.max !== undefined)
      ? [{ type: 'number' as const, min: def.min, max: def.max, message: t('cmdb.attr.range', { field: label, min: def.min ?? '−∞', max: def.max ?? '∞' }) }]
      : []),
  ];
  const common = { name: ['attributes', def.key], label, rules, extra: def.hint };
  const tid = `ci-attr-${def.key}`;
  switch (def.kind) {
    case 'multiline':
      return (
        <Form.Item {...common}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={def.maxLength ?? 5000} data-testid={tid} />
        </Form.Item>
      );
    case 'number':
    case 'integer':
      return (
        <Form.Item {...common}>
          <InputNumber style={{ width: '100%' }} precision={def.kind === 'integer' ? 0 : undefined} suffix={def.unit} data-testid={tid} />
        </Form.Item>
      );
    case 'boolean':
      return (
        <Form.Item {...common}>
          <Select
            allowClear
            options={[
              { value: true, label: t('common.yes') },
              { value: false, label: t('common.no') },
            ]}
            data-testid={tid}
          />
        </Form.Item>
      );
    case 'date':
      return (
        <Form.Item {...common} getValueProps={(v: string | null) => ({ value: v ? dayjs(v) : null })} normalize={(d: dayjs.Dayjs | null) => (d ? d.format('YYYY-MM-DD') : null)}>
          <DatePicker style={{ width: '100%' }} data-testid={tid} />
        </Form.Item>
      );
    case 'ips':
      return (
        <Form.Item {...common}>
          <Select mode="tags" tokenSeparators={[',', ' ', '、', '，']} open={false} suffixIcon={null} placeholder={t('cmdb.attr.ipsHint')} data-testid={tid} />
        </Form.Item>
      );
    case 'choice':
      return (
        <Form.Item {...common}>
          <Select allowClear showSearch options={(def.choices ?? []).map((c) => ({ value: c, label: c }))} data-testid={tid} />
        </Form.Item>
      );
    default:
      return (
        <Form.Item {...common}>
          <Input maxLength={def.maxLength ?? 500} placeholder={def.kind === 'ip' ? '10.0.0.1' : undefined} data-testid={tid} />
        </Form.Item>
      );
  }
}

/**
 * A CI's form: the common fields and the type's attributes generated from its schema. New
 * (customer and type chosen here) or edit (`ci`: PATCH with the version read; only changed
 * attributes sent, emptied ones as null). The server's field errors land on their fields —
 * `attributes.memoryGb` on 内存.
 */
export function CiEditDrawer({ open, onClose, ci, initialCustomerId, onSaved }: { open: boolean; onClose: () => void; ci?: Ci; initialCustomerId?: number; onSaved?: (ci: Ci) => void }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const [form] = Form.useForm<CiValues>();
  const types = useCiTypes(!!ci);
  const [typeId, setTypeId] = useState<number | undefined>(ci?.typeId);
  const [customerId, setCustomerId] = useState<number | undefined>(ci?.customerId ?? initialCustomerId);
  const type = types.data?.find((x) => x.id === (ci?.typeId ?? typeId));
  const sites = useCustomerSites(ci?.customerId ?? customerId);

  const initialValues = useMemo<Partial<CiValues>>(
    () =>
      ci
        ? {
            code: ci.code,
            name: ci.name,
            siteId: ci.siteId,
            status: ci.status,
            criticality: ci.criticality,
            ownerId: ci.ownerId,
            ownerName: ci.ownerName ?? undefined,
            brand: ci.brand ?? undefined,
            model: ci.model ?? undefined,
            serial: ci.serial ?? undefined,
            ip: ci.ip ?? undefined,
            hostname: ci.hostname ?? undefined,
            description: ci.description ?? undefined,
            attributes: { ...ci.attributes },
          }
        : { customerId: initialCustomerId, status: 'in_use', criticality: 3, attributes: {} },
    [ci, initialCustomerId],
  );

  const submit = async (v: CiValues) => {
    const defs = type?.attributes ?? [];
    const common = {
      siteId: v.siteId ?? null,
      code: v.code,
      name: v.name,
      status: v.status,
      criticality: v.criticality,
      ownerId: v.ownerId ?? null,
      ownerName: textOrNull(v.ownerName),
      brand: textOrNull(v.brand),
      model: textOrNull(v.model),
      serial: textOrNull(v.serial),
      ip: textOrNull(v.ip),
      hostname: textOrNull(v.hostname),
      description: textOrNull(v.description),
    };
    let saved: Ci;
    if (ci) {
      // the type's attributes: changed ones sent, emptied ones as null; attributes the type no longer has stay untouched
      const attributes: Record<string, AttributeValue | null> = {};
      for (const d of defs) {
        const next = v.attributes?.[d.key];
        const before = ci.attributes[d.key];
        if (empty(next)) {
          if (!empty(before)) attributes[d.key] = null;
        } else if (JSON.stringify(next) !== JSON.stringify(before)) attributes[d.key] = next as AttributeValue;
      }
      saved = await api.patch<Ci>(`${CIS}/${ci.id}`, { version: ci.version, ...common, attributes });
    } else {
      const attributes: Record<string, AttributeValue> = {};
      for (const d of defs) {
        const next = v.attributes?.[d.key];
        if (!empty(next)) attributes[d.key] = next as AttributeValue;
      }
      saved = await api.post<Ci>(CIS, { customerId: v.customerId, typeId: v.typeId, ...common, attributes });
    }
    qc.setQueryData([CIS, 'one', saved.id], saved);
    void qc.invalidateQueries({ queryKey: [CIS] });
    onSaved?.(saved);
  };

  const req = (field: string) => [{ required: true, whitespace: true, message: t('common.required', { field }) }];

  return (
    <FormDrawer<CiValues>
      open={open}
      title={ci ? t('cmdb.edit.title', { code: ci.code }) : t('cmdb.new')}
      testid="ci-form"
      recordKey={ci ? `${ci.id}-${ci.version}` : 'new'}
      form={form}
      initialValues={initialValues}
      onClose={onClose}
      onSubmit={submit}
      width={680}
      onValuesChange={(c) => {
        if ('typeId' in c) setTypeId(c.typeId);
        if ('customerId' in c) {
          setCustomerId(c.customerId);
          form.setFieldsValue({ siteId: null });
        }
      }}
    >
      {!ci && (
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="customerId" label={t('cmdb.col.customer')} rules={[{ required: true, message: t('common.required', { field: t('cmdb.col.customer') }) }]}>
              <RemoteSelect resource="customers" testid="ci-form-customer" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="typeId" label={t('cmdb.col.type')} rules={[{ required: true, message: t('common.required', { field: t('cmdb.col.type') }) }]}>
              <Select showSearch={{ optionFilterProp: 'label' }} options={(types.data ?? []).filter((x) => !x.disabled).map((x) => ({ value: x.id, label: typeLabel(x, locale) }))} data-testid="ci-form-type" />
            </Form.Item>
          </Col>
        </Row>
      )}
      <Row gutter={12}>
        <Col xs={24} sm={10}>
          <Form.Item name="code" label={t('cmdb.field.code')} rules={req(t('cmdb.field.code'))} extra={ci ? undefined : t('cmdb.field.codeHint')}>
            <Input maxLength={64} style={{ textTransform: 'uppercase' }} data-testid="ci-form-code" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={14}>
          <Form.Item name="name" label={t('cmdb.field.name')} rules={req(t('cmdb.field.name'))}>
            <Input maxLength={200} data-testid="ci-form-name" />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={12}>
        <Col xs={24} sm={8}>
          <Form.Item name="status" label={t('cmdb.col.status')}>
            <Select options={CI_STATUSES.filter((s) => !(ci?.status === 'retired' && s === 'planned')).map((s) => ({ value: s, label: t(statusKey(s)) }))} data-testid="ci-form-status" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="criticality" label={t('cmdb.col.criticality')}>
            <Select options={CRITICALITIES.map((c) => ({ value: c, label: t(criticalityKey(c)) }))} data-testid="ci-form-criticality" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="siteId" label={t('cmdb.col.site')}>
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))} loading={sites.isFetching} data-testid="ci-form-site" />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={12}>
        <Col xs={24} sm={12}>
          <Form.Item name="ownerId" label={t('cmdb.field.ownerUser')}>
            <RemoteSelect resource="users" testid="ci-form-owner" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="ownerName" label={t('cmdb.field.ownerName')} extra={t('cmdb.field.ownerNameHint')}>
            <Input maxLength={100} data-testid="ci-form-owner-name" />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={12}>
        <Col xs={24} sm={8}>
          <Form.Item name="brand" label={t('cmdb.field.brand')}>
            <Input maxLength={100} data-testid="ci-form-brand" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="model" label={t('cmdb.field.model')}>
            <Input maxLength={100} data-testid="ci-form-model" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="serial" label={t('cmdb.field.serial')}>
            <Input maxLength={100} data-testid="ci-form-serial" />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={12}>
        <Col xs={24} sm={12}>
          <Form.Item name="ip" label={t('cmdb.field.ip')}>
            <Input maxLength={64} placeholder="10.0.0.1" data-testid="ci-form-ip" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="hostname" label={t('cmdb.field.hostname')} extra={t('cmdb.field.hostnameHint')}>
            <Input maxLength={255} data-testid="ci-form-hostname" />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="description" label={t('cmdb.field.description')}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={5000} data-testid="ci-form-description" />
      </Form.Item>
      {type && (
        <>
          <Divider titlePlacement="start" plain style={{ marginTop: 4 }}>
            {t('cmdb.attributesOf', { type: typeLabel(type, locale) })}
          </Divider>
          {type.attributes.length === 0 && <Typography.Text type="secondary">{t('cmdb.noAttributes')}</Typography.Text>}
          <Row gutter={12}>
            {type.attributes.map((d) => (
              <Col key={d.key} xs={24} sm={d.kind === 'multiline' ? 24 : 12}>
                <AttributeField def={d} />
              </Col>
            ))}
          </Row>
        </>
      )}
    </FormDrawer>
  );
}
