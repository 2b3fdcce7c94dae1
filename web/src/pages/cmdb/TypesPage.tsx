import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Flex, Form, Input, InputNumber, Popconfirm, Row, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import { useI18n } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { FormDrawer } from '../../components/FormDrawer';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ATTRIBUTE_KINDS, CI_TYPES, kindKey, useCiTypes, type AttributeDef, type CiType } from './api';

interface TypeValues {
  code?: string;
  nameZh: string;
  nameEn: string;
  attributes: (Omit<AttributeDef, 'required'> & { required?: boolean })[];
}

/** An attribute as the API takes it: empty optional parts left out. */
function cleanDef(d: TypeValues['attributes'][number]): AttributeDef {
  const out: AttributeDef = { key: d.key?.trim(), zh: d.zh?.trim(), en: d.en?.trim(), kind: d.kind };
  if (d.required) out.required = true;
  if (d.unit?.trim()) out.unit = d.unit.trim();
  if (d.kind === 'number' || d.kind === 'integer') {
    if (d.min !== undefined && d.min !== null) out.min = d.min;
    if (d.max !== undefined && d.max !== null) out.max = d.max;
  }
  if ((d.kind === 'text' || d.kind === 'multiline') && d.maxLength) out.maxLength = d.maxLength;
  if (d.kind === 'choice') out.choices = d.choices ?? [];
  if (d.hint?.trim()) out.hint = d.hint.trim();
  return out;
}

/**
 * The attribute schema editor: one row per attribute (key, labels, kind, required, unit,
 * choices, min/max). The keys of saved attributes are fixed (CIs store their values under them).
 */
function AttributesEditor({ saved }: { saved: number }) {
  const { t } = useI18n();
  const form = Form.useFormInstance<TypeValues>();
  return (
    <Form.List name="attributes">
      {(fields, { add, remove, move }) => (
        <Flex vertical gap={8} data-testid="type-attributes">
          {fields.map((f, i) => {
            const kind = form.getFieldValue(['attributes', f.name, 'kind']) as string | undefined;
            return (
              <Card
                key={f.key}
                size="small"
                data-testid={`type-attr-${i}`}
                title={<Typography.Text type="secondary">{t('cmdb.types.attrN', { n: i + 1 })}</Typography.Text>}
                extra={
                  <Space size={4}>
                    <Button size="small" type="text" disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={t('cmdb.types.up')}>
                      ↑
                    </Button>
                    <Button size="small" type="text" disabled={i === fields.length - 1} onClick={() => move(i, i + 1)} aria-label={t('cmdb.types.down')}>
                      ↓
                    </Button>
                    <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.remove')} data-testid={`type-attr-${i}-remove`} />
                  </Space>
                }
              >
                <Row gutter={8}>
                  <Col xs={24} sm={8}>
                    <Form.Item name={[f.name, 'key']} label={t('cmdb.types.key')} rules={[{ required: true, pattern: /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, message: t('cmdb.types.keyRule') }]} style={{ marginBottom: 8 }}>
                      <Input maxLength={40} disabled={f.key < saved} data-testid={`type-attr-${i}-key`} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={8}>
                    <Form.Item name={[f.name, 'zh']} label={t('cmdb.types.zh')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('cmdb.types.zh') }) }]} style={{ marginBottom: 8 }}>
                      <Input maxLength={50} data-testid={`type-attr-${i}-zh`} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={8}>
                    <Form.Item name={[f.name, 'en']} label={t('cmdb.types.en')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('cmdb.types.en') }) }]} style={{ marginBottom: 8 }}>
                      <Input maxLength={80} data-testid={`type-attr-${i}-en`} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={6}>
                    <Form.Item name={[f.name, 'kind']} label={t('cmdb.types.kind')} style={{ marginBottom: 8 }}>
                      <Select options={ATTRIBUTE_KINDS.map((k) => ({ value: k, label: t(kindKey(k)) }))} data-testid={`type-attr-${i}-kind`} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={4}>
                    <Form.Item name={[f.name, 'required']} label={t('cmdb.types.required')} valuePropName="checked" style={{ marginBottom: 8 }}>
                      <Switch data-testid={`type-attr-${i}-required`} />
                    </Form.Item>
                  </Col>
                  {(kind === 'number' || kind === 'integer') && (
                    <>
                      <Col xs={8} sm={4}>
                        <Form.Item name={[f.name, 'unit']} label={t('cmdb.types.unit')} style={{ marginBottom: 8 }}>
                          <Input maxLength={20} data-testid={`type-attr-${i}-unit`} />
                        </Form.Item>
                      </Col>
                      <Col xs={8} sm={5}>
                        <Form.Item name={[f.name, 'min']} label={t('cmdb.types.min')} style={{ marginBottom: 8 }}>
                          <InputNumber style={{ width: '100%' }} data-testid={`type-attr-${i}-min`} />
                        </Form.Item>
                      </Col>
                      <Col xs={8} sm={5}>
                        <Form.Item name={[f.name, 'max']} label={t('cmdb.types.max')} style={{ marginBottom: 8 }}>
                          <InputNumber style={{ width: '100%' }} data-testid={`type-attr-${i}-max`} />
                        </Form.Item>
                      </Col>
                    </>
                  )}
                  {kind === 'choice' && (
                    <Col xs={24} sm={14}>
                      <Form.Item name={[f.name, 'choices']} label={t('cmdb.types.choices')} rules={[{ required: true, message: t('common.required', { field: t('cmdb.types.choices') }) }]} style={{ marginBottom: 8 }}>
                        <Select mode="tags" tokenSeparators={[',', '，', '、']} open={false} suffixIcon={null} placeholder={t('cmdb.types.choicesHint')} data-testid={`type-attr-${i}-choices`} />
                      </Form.Item>
                    </Col>
                  )}
                  {(kind === 'text' || kind === 'multiline') && (
                    <Col xs={12} sm={6}>
                      <Form.Item name={[f.name, 'maxLength']} label={t('cmdb.types.maxLength')} style={{ marginBottom: 8 }}>
                        <InputNumber min={1} max={5000} precision={0} style={{ width: '100%' }} />
                      </Form.Item>
                    </Col>
                  )}
                  <Col span={24}>
                    <Form.Item name={[f.name, 'hint']} label={t('cmdb.types.hint')} style={{ marginBottom: 0 }}>
                      <Input maxLength={200} />
                    </Form.Item>
                  </Col>
                </Row>
              </Card>
            );
          })}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ kind: 'text', required: false })} data-testid="type-attr-add">
            {t('cmdb.types.addAttr')}
          </Button>
        </Flex>
      )}
    </Form.List>
  );
}

/** 配置项类型 (cmdb.manage): each type's attribute schema, edited here; disable / enable. */
export default function TypesPage() {
  const { t, locale, errorText } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const types = useCiTypes(true);
  const [editing, setEditing] = useState<CiType | 'new' | null>(null);
  const [form] = Form.useForm<TypeValues>();
  const current = editing && editing !== 'new' ? editing : null;
  const refresh = () => void qc.invalidateQueries({ queryKey: [CI_TYPES] });

  const save = async (v: TypeValues) => {
    const attributes = (v.attributes ?? []).map(cleanDef);
    if (current) await api.patch<CiType>(`${CI_TYPES}/${current.id}`, { version: current.version, nameZh: v.nameZh, nameEn: v.nameEn, attributes });
    else await api.post<CiType>(CI_TYPES, { code: v.code, nameZh: v.nameZh, nameEn: v.nameEn, attributes });
    refresh();
  };
  const toggle = async (ty: CiType) => {
    try {
      await api.post(`${CI_TYPES}/${ty.id}/${ty.disabled ? 'enable' : 'disable'}`, { version: ty.version });
      message.success(t(ty.disabled ? 'cmdb.types.enabled' : 'cmdb.types.disabledDone'));
      refresh();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div data-testid="page-ci-types">
      <PageHeader
        onBack={() => navigate('/cmdb')}
        title={t('cmdb.types.title')}
        subtitle={t('cmdb.types.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="type-new">
            {t('cmdb.types.new')}
          </Button>
        }
      />
      {types.isError && <ErrorAlert error={types.error} onRetry={() => void types.refetch()} />}
      <Table<CiType>
        rowKey="id"
        size="middle"
        loading={types.isPending}
        dataSource={types.data ?? []}
        pagination={false}
        scroll={{ x: 760 }}
        onRow={(r) => ({ 'data-testid': `type-row-${r.code}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('cmdb.types.name'),
            key: 'name',
            render: (_, r) => (
              <div>
                <Typography.Text strong>{locale === 'en-US' ? r.nameEn : r.nameZh}</Typography.Text>
                <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                  {r.code} · {locale === 'en-US' ? r.nameZh : r.nameEn}
                </Typography.Text>
              </div>
            ),
          },
          {
            title: t('cmdb.types.attributes'),
            key: 'attrs',
            render: (_, r) => (
              <Flex wrap gap={4}>
                {r.attributes.slice(0, 8).map((a) => (
                  <Tag key={a.key} color={a.required ? 'blue' : undefined} style={{ marginInlineEnd: 0 }}>
                    {locale === 'en-US' ? a.en : a.zh}
                    {a.unit ? ` (${a.unit})` : ''}
                  </Tag>
                ))}
                {r.attributes.length > 8 && <Tag>+{r.attributes.length - 8}</Tag>}
              </Flex>
            ),
          },
          {
            title: t('cmdb.col.status'),
            key: 'state',
            width: 130,
            render: (_, r) => (
              <Space size={4}>
                {r.disabled ? <Tag color="default">{t('cmdb.types.disabled')}</Tag> : <Tag color="green">{t('cmdb.types.active')}</Tag>}
                {r.builtin && <Tag>{t('cmdb.types.builtin')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 170,
            render: (_, r) => (
              <Space size={4}>
                <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)} data-testid={`type-edit-${r.code}`}>
                  {t('common.edit')}
                </Button>
                <Popconfirm title={t(r.disabled ? 'cmdb.types.enableConfirm' : 'cmdb.types.disableConfirm')} onConfirm={() => toggle(r)}>
                  <Button size="small" danger={!r.disabled} data-testid={`type-toggle-${r.code}`}>
                    {t(r.disabled ? 'cmdb.types.enable' : 'cmdb.types.disable')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <FormDrawer<TypeValues>
        open={editing !== null}
        title={current ? t('cmdb.types.editTitle', { name: locale === 'en-US' ? current.nameEn : current.nameZh }) : t('cmdb.types.new')}
        testid="type-form"
        recordKey={current ? `${current.id}-${current.version}` : 'new'}
        form={form}
        width={760}
        initialValues={current ? { nameZh: current.nameZh, nameEn: current.nameEn, attributes: current.attributes } : { attributes: [] }}
        onClose={() => setEditing(null)}
        onSubmit={save}
      >
        {!current && (
          <Form.Item name="code" label={t('cmdb.types.code')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]*$/, message: t('cmdb.types.codeRule') }]}>
            <Input maxLength={40} data-testid="type-form-code" />
          </Form.Item>
        )}
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="nameZh" label={t('cmdb.types.nameZh')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('cmdb.types.nameZh') }) }]}>
              <Input maxLength={50} data-testid="type-form-name-zh" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="nameEn" label={t('cmdb.types.nameEn')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('cmdb.types.nameEn') }) }]}>
              <Input maxLength={80} data-testid="type-form-name-en" />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('cmdb.types.rule')}
        </Typography.Paragraph>
        <Form.Item noStyle shouldUpdate>
          {() => <AttributesEditor saved={current?.attributes.length ?? 0} />}
        </Form.Item>
      </FormDrawer>
    </div>
  );
}
