import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { Alert, App, Button, Card, Checkbox, Flex, Input, Select, Skeleton, Space, Switch, Tag, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { PageHeader } from '../../components/PageHeader';
import { api, fetchAll, isApiError } from '../../api/client';
import type { Id, User } from '../../api/types';
import { useI18n } from '../../i18n';
import { useRecipients } from '../../api/reports';
import { RecipientSelect } from './reportsShared';

interface LayoutEntry {
  key: string;
  hidden?: boolean;
  title?: string;
}
interface PlanSection {
  key: string;
  kind: 'cover' | 'narrative' | 'data';
  title: string;
  hidden: boolean;
  unavailable: boolean;
}
interface Plan {
  contractId: Id;
  customerId: Id;
  stored: boolean;
  version: number;
  types: string[];
  layouts: Record<string, LayoutEntry[]>;
  reviewRequired: boolean;
  reviewerId: Id | null;
  recipients: Id[];
  catalogue: { type: string; name: string; cadence: string; due: string; req: string; owed: boolean; sections: PlanSection[] }[];
}

/** One report type's sections as edited: the resolved list, custom sections kept with their titles. */
type Row = PlanSection & { custom: boolean };

/**
 * 报告计划 of a contract (reports.manage): which reports it owes, and per report type the order of
 * its sections, which are hidden, their titles and the contract's own narrative sections; whether
 * a second person reviews before issue; who is told of an issued report by default. Saved as one
 * plan (PUT …/report-plan, with its version).
 */
export default function ReportPlanPage() {
  const { id } = useParams();
  const contractId = Number(id);
  const { t } = useI18n();
  const nav = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const key = ['/reporting/contracts', contractId, 'report-plan'];
  const plan = useQuery({ queryKey: key, queryFn: () => api.get<Plan>(`/reporting/contracts/${contractId}/report-plan`) });
  const staff = useQuery({ queryKey: ['/users', 'staff'], queryFn: async () => (await fetchAll<User>('/users')).filter((u) => u.customerId === null && !u.disabled), retry: false });
  const [types, setTypes] = useState<string[]>([]);
  const [rows, setRows] = useState<Record<string, Row[]>>({});
  const [review, setReview] = useState(false);
  const [reviewer, setReviewer] = useState<Id | null>(null);
  const [recipients, setRecipients] = useState<Id[]>([]);
  const choice = useRecipients(contractId, true);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const p = plan.data;
    if (!p) return;
    setTypes(p.types);
    setReview(p.reviewRequired);
    setReviewer(p.reviewerId);
    setRecipients(p.recipients);
    setRows(Object.fromEntries(p.catalogue.map((c) => [c.type, c.sections.map((s) => ({ ...s, custom: s.key.startsWith('custom:') }))])));
  }, [plan.data]);

  if (plan.isPending) return <Skeleton active />;
  if (!plan.data) return <Alert type="error" message={isApiError(plan.error) ? plan.error.message : String(plan.error)} />;

  const move = (type: string, i: number, d: -1 | 1) =>
    setRows((r) => {
      const list = [...r[type]];
      const j = i + d;
      if (j < 0 || j >= list.length) return r;
      [list[i], list[j]] = [list[j], list[i]];
      return { ...r, [type]: list };
    });
  const change = (type: string, i: number, patch: Partial<Row>) => setRows((r) => ({ ...r, [type]: r[type].map((x, k) => (k === i ? { ...x, ...patch } : x)) }));
  const addCustom = (type: string) =>
    setRows((r) => ({ ...r, [type]: [...r[type], { key: `custom:s${Date.now().toString(36)}`, kind: 'narrative', title: '', hidden: false, unavailable: false, custom: true }] }));

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const layouts = Object.fromEntries(
        types.map((type) => [type, (rows[type] ?? []).filter((s) => s.kind !== 'cover').map((s) => ({ key: s.key, hidden: s.hidden, ...(s.custom ? { title: s.title } : {}) }))]),
      );
      const next = await api.put<Plan>(`/reporting/contracts/${contractId}/report-plan`, { version: plan.data.version, types, layouts, reviewRequired: review, reviewerId: review ? reviewer : null, recipients });
      qc.setQueryData(key, next);
      message.success(t('rpt.saved'));
    } catch (e) {
      setError(isApiError(e) ? [e.message, ...e.errors.map((x) => x.message)].join('；') : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <PageHeader
        title={t('rpt.plan.title')}
        subtitle={t('rpt.plan.subtitle')}
        onBack={() => nav('/reports')}
        extra={
          <Button type="primary" loading={saving} onClick={save} data-testid="plan-save">
            {t('rpt.save')}
          </Button>
        }
      />
      {error && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={error} data-testid="plan-error" />}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Switch checked={review} onChange={setReview} data-testid="plan-review" />
          <span>{t('rpt.plan.review')}</span>
          {review && (
            <Select
              allowClear
              style={{ minWidth: 200 }}
              placeholder={t('rpt.plan.anyReviewer')}
              value={reviewer ?? undefined}
              onChange={(v) => setReviewer(v ?? null)}
              options={(staff.data ?? []).map((u) => ({ value: u.id, label: u.displayName }))}
            />
          )}
        </Space>
        <Flex align="center" gap={8} style={{ marginTop: 12 }} wrap>
          <span>{t('rpt.plan.recipients')}</span>
          <div style={{ flex: 1, minWidth: 260 }}>
            {/* Empty: the customer's administrators; the PM may still change them when issuing. */}
            <RecipientSelect choice={choice.data} value={recipients} onChange={setRecipients} placeholder={t('rpt.plan.recipientsDefault')} testId="plan-recipients" />
          </div>
        </Flex>
      </Card>
      <Flex vertical gap={16}>
        {plan.data.catalogue.map((c) => {
          const owed = types.includes(c.type);
          return (
            <Card
              key={c.type}
              size="small"
              data-testid={`plan-type-${c.type}`}
              title={
                <Checkbox checked={owed} onChange={(e) => setTypes((ts) => (e.target.checked ? [...ts, c.type] : ts.filter((x) => x !== c.type)))}>
                  {c.name}
                </Checkbox>
              }
              extra={
                <Typography.Text type="secondary">
                  {c.due} · {c.req}
                </Typography.Text>
              }
            >
              {owed && (
                <Flex vertical gap={6}>
                  {(rows[c.type] ?? []).map((s, i) =>
                    s.kind === 'cover' ? null : (
                      <Flex key={s.key} align="center" gap={8} wrap>
                        <Button size="small" icon={<ArrowUpOutlined />} onClick={() => move(c.type, i, -1)} aria-label="up" />
                        <Button size="small" icon={<ArrowDownOutlined />} onClick={() => move(c.type, i, 1)} aria-label="down" />
                        <Switch size="small" checked={!s.hidden} onChange={(on) => change(c.type, i, { hidden: !on })} />
                        {s.custom ? (
                          <Input size="small" style={{ maxWidth: 260 }} data-testid="plan-custom-title" value={s.title} placeholder={t('rpt.plan.customTitle')} onChange={(e) => change(c.type, i, { title: e.target.value })} />
                        ) : (
                          <span style={{ opacity: s.hidden ? 0.5 : 1 }}>{s.title}</span>
                        )}
                        {s.kind === 'narrative' && <Tag>{t('rpt.plan.narrative')}</Tag>}
                        {s.unavailable && <Tag>{t('rpt.notEnabled')}</Tag>}
                      </Flex>
                    ),
                  )}
                  <div>
                    <Button size="small" icon={<PlusOutlined />} onClick={() => addCustom(c.type)} data-testid={`plan-add-${c.type}`}>
                      {t('rpt.plan.addCustom')}
                    </Button>
                  </div>
                </Flex>
              )}
            </Card>
          );
        })}
      </Flex>
    </>
  );
}
