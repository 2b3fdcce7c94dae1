import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Form, Input, Popconfirm, Row, Select, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { api, applyFieldErrors, isApiError } from '../../api/client';
import { useI18n } from '../../i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useIsMobile } from '../../components/useIsMobile';
import { CIS, RELATION_TYPES, ciPath, relationInKey, relationKey, type Ci, type CiRef, type Relation, type RelationType } from './api';
import { CiLookupSelect, CiStatusTag } from './shared';

interface Row {
  id: number;
  type: RelationType;
  /** out: this CI is the source ("本项 运行于 other"); in: the other is ("other 运行于 本项"). */
  direction: 'out' | 'in';
  other: CiRef;
  note: string | null;
}

interface AddValues {
  type: RelationType;
  direction: 'out' | 'in';
  targetId: number | null;
  note?: string;
}

/** A CI's relationships both ways, read as sentences; add (the other CI picked among the same customer's) and remove. */
export function RelationsTab({ ci, portal, canWrite }: { ci: Ci; portal?: boolean; canWrite: boolean }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const mobile = useIsMobile();
  const [form] = Form.useForm<AddValues>();
  const [saving, setSaving] = useState(false);
  const rels = useQuery({ queryKey: [CIS, 'relations', ci.id], queryFn: () => api.get<{ outgoing: Relation[]; incoming: Relation[] }>(`${CIS}/${ci.id}/relations`) });
  const rows: Row[] = [
    ...(rels.data?.outgoing ?? []).map((r) => ({ id: r.id, type: r.type, direction: 'out' as const, other: r.target, note: r.note })),
    ...(rels.data?.incoming ?? []).map((r) => ({ id: r.id, type: r.type, direction: 'in' as const, other: r.source, note: r.note })),
  ];
  const changed = () => {
    void qc.invalidateQueries({ queryKey: [CIS, 'relations'] });
    void qc.invalidateQueries({ queryKey: [CIS, 'impact'] });
    void qc.invalidateQueries({ queryKey: [CIS, 'related', ci.id] });
    void qc.invalidateQueries({ queryKey: [`${CIS}/${ci.id}/history`] });
  };

  const add = async (v: AddValues) => {
    setSaving(true);
    try {
      await api.post(`${CIS}/${ci.id}/relations`, { type: v.type, direction: v.direction, targetId: v.targetId, note: v.note?.trim() || null });
      form.setFieldsValue({ targetId: null, note: undefined });
      message.success(t('cmdb.rel.added'));
      changed();
    } catch (e) {
      const unmatched = applyFieldErrors(form, e);
      if (!isApiError(e) || unmatched.length || e.errors.length === 0) message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (id: number) => {
    try {
      await api.del(`/ci-relations/${id}`);
      message.success(t('cmdb.rel.removed'));
      changed();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  const addForm = canWrite && (
        <Card size="small" style={{ margin: mobile ? '12px 0 0' : '0 0 12px', background: '#fafafa' }}>
          <Form<AddValues> form={form} layout="vertical" initialValues={{ type: 'runs_on', direction: 'out', targetId: null }} onFinish={add} data-testid="ci-rel-form">
            <Row gutter={8} align="bottom">
              <Col xs={24} sm={8} md={5}>
                <Form.Item name="direction" label={t('cmdb.rel.direction')} style={{ marginBottom: 8 }}>
                  <Select
                    options={[
                      { value: 'out', label: t('cmdb.rel.dirOut', { code: ci.code }) },
                      { value: 'in', label: t('cmdb.rel.dirIn', { code: ci.code }) },
                    ]}
                    data-testid="ci-rel-direction"
                  />
                </Form.Item>
              </Col>
              <Col xs={24} sm={8} md={4}>
                <Form.Item name="type" label={t('cmdb.rel.type')} style={{ marginBottom: 8 }}>
                  <Select options={RELATION_TYPES.map((r) => ({ value: r, label: t(relationKey(r)) }))} data-testid="ci-rel-type" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={8} md={7}>
                <Form.Item name="targetId" label={t('cmdb.rel.target')} rules={[{ required: true, message: t('common.required', { field: t('cmdb.rel.target') }) }]} style={{ marginBottom: 8 }}>
                  <CiLookupSelect customerId={ci.customerId} exclude={[ci.id]} testid="ci-rel-target" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={16} md={5}>
                <Form.Item name="note" label={t('cmdb.rel.note')} style={{ marginBottom: 8 }}>
                  <Input maxLength={500} data-testid="ci-rel-note" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={8} md={3}>
                <Form.Item style={{ marginBottom: 8 }}>
                  <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={saving} block data-testid="ci-rel-add">
                    {t('common.add')}
                  </Button>
                </Form.Item>
              </Col>
            </Row>
          </Form>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('cmdb.rel.hint')}
          </Typography.Text>
        </Card>
  );

  if (rels.isError) return <ErrorAlert error={rels.error} onRetry={() => void rels.refetch()} />;
  return (
    <div data-testid="ci-relations">
      {!mobile && addForm}
      <Table<Row>
        rowKey={(r) => `${r.direction}-${r.id}`}
        size="small"
        loading={rels.isPending}
        dataSource={rows}
        pagination={false}
        scroll={mobile ? undefined : { x: 640 }}
        locale={{ emptyText: t('cmdb.rel.empty') }}
        onRow={(r) => ({ 'data-testid': `ci-rel-row-${r.other.code}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('cmdb.rel.type'),
            key: 'type',
            width: mobile ? undefined : 150,
            render: (_, r) => <Tag color={r.direction === 'out' ? 'blue' : 'purple'}>{t(r.direction === 'out' ? relationKey(r.type) : relationInKey(r.type))}</Tag>,
          },
          {
            title: t('cmdb.rel.other'),
            key: 'other',
            render: (_, r) => (
              <div>
                <Link to={ciPath(r.other.id, portal)} data-testid="ci-rel-link">
                  <b>{r.other.code}</b> {r.other.name}
                </Link>
                <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                  {r.other.typeName}
                  {r.note ? ` · ${r.note}` : ''}
                </Typography.Text>
              </div>
            ),
          },
          ...(mobile ? [] : [{ title: t('cmdb.col.status'), key: 'status', width: 90, render: (_: unknown, r: Row) => <CiStatusTag status={r.other.status} /> }]),
          ...(canWrite
            ? [
                {
                  key: 'actions',
                  width: 60,
                  render: (_: unknown, r: Row) => (
                    <Popconfirm title={t('cmdb.rel.removeConfirm')} onConfirm={() => remove(r.id)} okButtonProps={{ 'data-testid': 'ci-rel-remove-confirm' }}>
                      <Button type="text" danger size="small" icon={<DeleteOutlined />} aria-label={t('common.remove')} data-testid="ci-rel-remove" />
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
      {mobile && addForm}
    </div>
  );
}
