import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Flex, Form, Input, InputNumber, Select, Table, Tag, Typography, type FormInstance } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { api, asPage, isApiError, type FieldError, type Page } from '../../../api/client';
import {
  ANY_PRIORITY,
  ESCALATION_ACTIONS,
  SLA_METRICS,
  TARGET_UNITS,
  type ContractSla,
  type ContractSlaResponse,
  type EscalationAction,
  type PriorityLevel,
  type PriorityMatrix,
  type Role,
  type SlaMetric,
  type SlaPolicy,
  type SlaTarget,
  type TargetUnit,
} from '../../../api/types';
import { useI18n, type MessageKey } from '../../../i18n';
import { useCan } from '../../../auth/session';
import { RemoteSelect } from '../../../components/RemoteSelect';
import { setServerErrors } from '../../../lib/formErrors';
import { EditorProblemAlert, EditorSaveBar, saveOnCtrlEnter, useSaveProblemText, type SaveProblem } from '../../../components/DocumentEditor';
import { useCalendarLabel, useCalendars } from '../calendars/calendarShared';
import { PAUSE_STATES, metricKey, useAxisName, useLevelCode } from './slaShared';

type Name = (string | number)[];

interface TargetV {
  amount?: number | null;
  unit: TargetUnit;
  calendarId: string;
  /** Two-stage targets: the latest one (empty: one stage); its calendar, when the policy names one, is kept. */
  latest: { amount?: number | null; unit: TargetUnit; calendarId?: string };
  /** On site and resolution only; 'reported' is the default and is not written. */
  startEvent?: StartEvent;
}
type StartEvent = NonNullable<SlaTarget['startEvent']>;
/** The metrics whose clock may start at the diagnosis (the server's DIAGNOSIS_STARTED). */
const DIAGNOSIS_STARTED: SlaMetric[] = ['onsite', 'resolution'];
const START_EVENTS: StartEvent[] = ['reported', 'diagnosed'];
interface StepV {
  metric: SlaMetric | 'all';
  trigger: 'percent' | 'minutes';
  value?: number | null;
  roles: string[];
  userIds: number[];
  action: EscalationAction;
}
export interface SlaFormValues {
  matrix: PriorityMatrix;
  policy: {
    id: string;
    name: string;
    targets: Record<string, Partial<Record<SlaMetric, TargetV>>>;
    pauseOn: Partial<Record<SlaMetric, string[]>>;
    warnings: (number | null)[];
    escalation: StepV[];
  };
}

/** Rows of the targets table: the levels by rank, then "other priorities" (`*`). */
export function rowKeys(levels: PriorityLevel[], targets: Record<string, unknown>): string[] {
  const codes = [...levels].sort((a, b) => a.rank - b.rank).map((l) => l.code);
  const extra = Object.keys(targets).filter((k) => k !== ANY_PRIORITY && !codes.includes(k));
  return [...codes, ...extra, ANY_PRIORITY];
}

export function toForm(sla: ContractSla, defaultCalendar: string): SlaFormValues {
  const targets: SlaFormValues['policy']['targets'] = {};
  for (const key of rowKeys(sla.matrix.levels, sla.policy.targets)) {
    targets[key] = {};
    for (const m of SLA_METRICS) {
      const t = sla.policy.targets[key]?.[m];
      const base: TargetV = t ? { ...t, latest: t.latest ? { ...t.latest } : { amount: null, unit: t.unit } } : { amount: null, unit: 'hours', calendarId: defaultCalendar, latest: { amount: null, unit: 'hours' } };
      if (DIAGNOSIS_STARTED.includes(m)) base.startEvent = t?.startEvent ?? 'reported';
      targets[key][m] = base;
    }
  }
  return {
    matrix: structuredClone(sla.matrix),
    policy: {
      id: sla.policy.id,
      name: sla.policy.name,
      targets,
      pauseOn: Object.fromEntries(SLA_METRICS.map((m) => [m, [...(sla.policy.pauseOn?.[m] ?? [])]])),
      warnings: [...(sla.policy.warnings ?? [])],
      escalation: (sla.policy.escalation ?? []).map((s) => ({
        metric: s.metric ?? 'all',
        trigger: s.afterMinutes !== undefined ? 'minutes' : 'percent',
        value: s.afterMinutes ?? s.afterPercent ?? null,
        roles: [...(s.notify?.roles ?? [])],
        userIds: [...(s.notify?.userIds ?? [])],
        action: s.action,
      })),
    },
  };
}

/** The document the server takes (PUT /contracts/{id}/sla, POST /sla/preview). */
export function fromForm(v: SlaFormValues): Pick<ContractSla, 'matrix' | 'policy'> {
  const targets: SlaPolicy['targets'] = {};
  for (const [key, metrics] of Object.entries(v.policy?.targets ?? {})) {
    for (const m of SLA_METRICS) {
      const t = metrics?.[m];
      if (!t || t.amount === null || t.amount === undefined) continue;
      // Two-stage targets ("一般1小时，最迟3小时") and the start at the diagnosis (确诊后) for on site and resolution.
      const l = t.latest;
      const latest = l && l.amount !== null && l.amount !== undefined ? { amount: l.amount, unit: l.unit, ...(l.calendarId ? { calendarId: l.calendarId } : {}) } : undefined;
      const startEvent = t.startEvent === 'diagnosed' ? t.startEvent : undefined;
      (targets[key] ??= {})[m] = { amount: t.amount, unit: t.unit, calendarId: t.calendarId, ...(latest ? { latest } : {}), ...(startEvent ? { startEvent } : {}) } satisfies SlaTarget;
    }
  }
  const pauseOn: SlaPolicy['pauseOn'] = {};
  for (const m of SLA_METRICS) if (v.policy?.pauseOn?.[m]?.length) pauseOn[m] = [...v.policy.pauseOn[m]!];
  return {
    matrix: {
      impacts: v.matrix.impacts,
      urgencies: v.matrix.urgencies,
      levels: v.matrix.levels.map((l) => ({ ...l, name: (l.name ?? '').trim() })),
      cells: v.matrix.cells,
    },
    policy: {
      id: v.policy.id,
      name: (v.policy.name ?? '').trim(),
      targets,
      pauseOn,
      warnings: (v.policy.warnings ?? []).map((w) => (w === undefined ? null : w)) as number[],
      escalation: (v.policy.escalation ?? []).map((s) => ({
        ...(s.metric && s.metric !== 'all' ? { metric: s.metric } : {}),
        ...(s.trigger === 'minutes' ? { afterMinutes: s.value ?? undefined } : { afterPercent: s.value ?? undefined }),
        notify: { roles: s.roles ?? [], userIds: s.userIds ?? [] },
        action: s.action,
      })),
    },
  };
}

/** Server paths (`policy.escalation[0].afterPercent`, `matrix.levels[1].rank` …) → the form's names. */
export function mapSlaPath(p: Name): Name {
  const out = [...p];
  // The latest target's problems (later than the usual one, amount) show on its amount.
  if (out[0] === 'policy' && out[1] === 'targets' && out[4] === 'latest' && (out[5] === undefined || out[5] === 'amount')) return [...out.slice(0, 5), 'amount'];
  if (out[0] === 'matrix' && out[1] === 'levels' && typeof out[2] === 'number') return ['matrix', 'levels', out[2], 'name'];
  if (out[0] === 'policy' && out[1] === 'escalation' && typeof out[2] === 'number') {
    const leaf = out[3];
    if (leaf === undefined || leaf === 'afterPercent' || leaf === 'afterMinutes') return ['policy', 'escalation', out[2], 'value'];
    if (leaf === 'notify') return ['policy', 'escalation', out[2], out[4] === 'userIds' ? 'userIds' : 'roles'];
  }
  return out;
}

/** "时限 · 其他优先级 · 响应 · 时长" for a server path, for the error list. */
export function useDescribeSlaField(matrix: PriorityMatrix | undefined) {
  const { t } = useI18n();
  const axisName = useAxisName();
  return (field: string): string => {
    const p = field
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .filter(Boolean);
    const lvl = (code: string) => (code === ANY_PRIORITY ? t('sla.otherPriorities') : (matrix?.levels.find((l) => l.code === code)?.name ?? code));
    const axis = (kind: 'impact' | 'urgency', list: { code: string; name: string }[] | undefined, code: string) => {
      const v = list?.find((x) => x.code === code);
      return v ? axisName(kind, v) : code;
    };
    const leaf: Record<string, MessageKey> = { amount: 'sla.amount', unit: 'sla.unit', calendarId: 'sla.calendar', name: 'sla.levelName', latest: 'sla.latest', startEvent: 'sla.startEvent' };
    if (p[0] === 'matrix') {
      if (p[1] === 'cells' && p.length >= 4)
        return `${t('sla.field.matrix')} · ${t('sla.field.cell', { impact: axis('impact', matrix?.impacts, p[2]), urgency: axis('urgency', matrix?.urgencies, p[3]) })}`;
      if (p[1] === 'levels' && p[2] !== undefined) return `${t('sla.levels')} · ${matrix?.levels[Number(p[2])]?.name ?? Number(p[2]) + 1}`;
      return t('sla.field.matrix');
    }
    if (p[0] === 'policy') {
      if (p[1] === 'targets') {
        const parts = [t('sla.targets')];
        if (p[2]) parts.push(lvl(p[2]));
        if (p[3] && (SLA_METRICS as string[]).includes(p[3])) parts.push(t(metricKey(p[3] as SlaMetric)));
        if (p[4] && leaf[p[4]]) parts.push(t(leaf[p[4]]));
        return parts.join(' · ');
      }
      if (p[1] === 'warnings') return `${t('sla.warnings')}${p[2] !== undefined ? ' · ' + t('sla.field.threshold', { n: Number(p[2]) + 1 }) : ''}`;
      if (p[1] === 'escalation') return `${t('sla.escalation')}${p[2] !== undefined ? ' · ' + t('sla.step.n', { n: Number(p[2]) + 1 }) : ''}`;
      if (p[1] === 'pauseOn') return `${t('sla.pause')}${p[2] && (SLA_METRICS as string[]).includes(p[2]) ? ' · ' + t(metricKey(p[2] as SlaMetric)) : ''}`;
      if (p[1] === 'name') return t('sla.policyName');
      return t('sla.field.policy');
    }
    return field;
  };
}

const tid = (key: string) => (key === ANY_PRIORITY ? 'any' : key);

function TargetCell({ form, rowKey, metric, calendarOptions, disabled }: { form: FormInstance; rowKey: string; metric: SlaMetric; calendarOptions: { value: string; label: string }[]; disabled?: boolean }) {
  const { t } = useI18n();
  const base: Name = ['policy', 'targets', rowKey, metric];
  const fallback = Form.useWatch(['policy', 'targets', ANY_PRIORITY, metric, 'amount'], form) as number | null | undefined;
  const amount = Form.useWatch([...base, 'amount'], form) as number | null | undefined;
  const inherits = rowKey !== ANY_PRIORITY && fallback !== null && fallback !== undefined;
  const off = amount === null || amount === undefined;
  const latestAmount = Form.useWatch([...base, 'latest', 'amount'], form) as number | null | undefined;
  const noLatest = latestAmount === null || latestAmount === undefined;
  const id = `sla-target-${tid(rowKey)}-${metric}`;
  return (
    <Flex vertical gap={4} data-testid={id}>
      <Flex gap={4}>
        <Form.Item
          name={[...base, 'amount']}
          style={{ marginBottom: 0 }}
          rules={[{ validator: (_, v) => (v === null || v === undefined || v > 0 ? Promise.resolve() : Promise.reject(new Error(t('sla.valueRequired')))) }]}
        >
          <InputNumber
            min={0}
            style={{ width: 76 }}
            placeholder={inherits ? t('sla.sameAsOther') : t('sla.notMeasuredShort')}
            disabled={disabled}
            data-testid={`${id}-amount`}
          />
        </Form.Item>
        <Form.Item name={[...base, 'unit']} style={{ marginBottom: 0 }}>
          <Select
            disabled={disabled}
            style={{ width: 96, opacity: off ? 0.6 : 1 }}
            options={TARGET_UNITS.map((u) => ({ value: u, label: t(`calendars.unit.${u}` as MessageKey) }))}
            data-testid={`${id}-unit`}
            aria-label={t('sla.unit')}
          />
        </Form.Item>
      </Flex>
      <Flex gap={4}>
        <Form.Item
          name={[...base, 'latest', 'amount']}
          style={{ marginBottom: 0 }}
          rules={[{ validator: (_, v) => (v === null || v === undefined || v > 0 ? Promise.resolve() : Promise.reject(new Error(t('sla.valueRequired')))) }]}
        >
          <InputNumber
            min={0}
            prefix={<span style={{ color: 'rgba(0,0,0,0.45)', fontSize: 12 }}>{t('sla.latest')}</span>}
            style={{ width: 96, opacity: off ? 0.6 : 1 }}
            disabled={disabled || off}
            title={t('sla.latestHelp')}
            data-testid={`${id}-latest-amount`}
            aria-label={`${t('sla.latest')} ${t('sla.amount')}`}
          />
        </Form.Item>
        <Form.Item name={[...base, 'latest', 'unit']} style={{ marginBottom: 0 }}>
          <Select
            disabled={disabled || off}
            style={{ width: 96, opacity: off || noLatest ? 0.6 : 1 }}
            options={TARGET_UNITS.map((u) => ({ value: u, label: t(`calendars.unit.${u}` as MessageKey) }))}
            data-testid={`${id}-latest-unit`}
            aria-label={`${t('sla.latest')} ${t('sla.unit')}`}
          />
        </Form.Item>
      </Flex>
      <Form.Item name={[...base, 'calendarId']} style={{ marginBottom: 0 }}>
        <Select
          size="small"
          disabled={disabled}
          style={{ width: '100%', opacity: off ? 0.6 : 1 }}
          options={calendarOptions}
          popupMatchSelectWidth={false}
          data-testid={`${id}-calendar`}
          aria-label={t('sla.calendar')}
        />
      </Form.Item>
      {DIAGNOSIS_STARTED.includes(metric) && (
        <Form.Item name={[...base, 'startEvent']} style={{ marginBottom: 0 }}>
          <Select
            size="small"
            disabled={disabled}
            prefix={<span style={{ color: 'rgba(0,0,0,0.45)' }}>{t('sla.startEvent')}</span>}
            style={{ width: '100%', opacity: off ? 0.6 : 1 }}
            options={START_EVENTS.map((e) => ({ value: e, label: <span data-testid={`${id}-start-${e}`}>{t(`sla.startEvent.${e}`)}</span> }))}
            popupMatchSelectWidth={false}
            data-testid={`${id}-start`}
            aria-label={t('sla.startEvent')}
          />
        </Form.Item>
      )}
    </Flex>
  );
}

export interface SlaEditorProps {
  contractId: number;
  data: ContractSlaResponse & { sla: ContractSla };
  contractCalendarId: string;
  readOnly: boolean;
  /** A blank or template-built SLA not yet saved. */
  startDirty?: boolean;
  onDirtyChange: (dirty: boolean) => void;
  /** Every change, for the what-if preview. */
  onDocChange: (doc: Pick<ContractSla, 'matrix' | 'policy'>) => void;
  onSaved: (r: ContractSlaResponse) => void;
  onReload: () => void;
}

/**
 * The contract's SLA: the priority matrix (level per impact × urgency, level names), the targets
 * per level × metric, pause states, warning thresholds and escalation steps. Saved with PUT and
 * the contract's version; field errors from the server land on the matching inputs and in a list.
 */
export function SlaEditor({ contractId, data, contractCalendarId, readOnly, startDirty, onDirtyChange, onDocChange, onSaved, onReload }: SlaEditorProps) {
  const { t } = useI18n();
  const can = useCan();
  const { message } = App.useApp();
  const [form] = Form.useForm<SlaFormValues>();
  const initial = useMemo(() => toForm(data.sla, contractCalendarId), [data.sla, contractCalendarId]);
  const [dirty, setDirtyState] = useState(!!startDirty);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<(SaveProblem & { errors: FieldError[] }) | null>(null);
  const problemText = useSaveProblemText();
  // useWatch sees only registered inputs (the names): code and rank come from the document
  const watchedLevels = Form.useWatch(['matrix', 'levels'], form) as Partial<PriorityLevel>[] | undefined;
  const levels = useMemo(
    () => initial.matrix.levels.map((l, i) => ({ ...l, name: watchedLevels?.[i]?.name ?? l.name })),
    [initial, watchedLevels],
  );
  const matrix = initial.matrix;
  const describe = useDescribeSlaField(matrix);
  const axisName = useAxisName();
  const levelCode = useLevelCode();
  const calendars = useCalendars();
  const calLabel = useCalendarLabel();
  const roles = useQuery({
    queryKey: ['/roles', 'options'],
    queryFn: () => api.get<Page<Role> | Role[]>('/roles', { limit: 200 }).then((d) => asPage(d).items),
    enabled: can('roles.read'),
    staleTime: 5 * 60_000,
    retry: false,
  });

  const setDirty = (d: boolean) => {
    setDirtyState(d);
    onDirtyChange(d);
  };
  useEffect(() => {
    onDirtyChange(!!startDirty);
    onDocChange(fromForm(initial));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const calendarOptions = useMemo(() => {
    const opts = new Map<string, string>();
    for (const c of calendars.data ?? []) opts.set(c.id, calLabel(c));
    for (const key of Object.keys(initial.policy.targets))
      for (const m of SLA_METRICS) {
        const id = initial.policy.targets[key]?.[m]?.calendarId;
        if (id && !opts.has(id)) opts.set(id, id);
      }
    if (!opts.has(contractCalendarId)) opts.set(contractCalendarId, contractCalendarId);
    return [...opts].map(([value, label]) => ({ value, label }));
  }, [calendars.data, calLabel, initial, contractCalendarId]);

  const roleOptions = useMemo(() => {
    const codes = new Map<string, string>();
    for (const code of ['pm', 'desk', 'engineer', 'quality', 'admin']) codes.set(code, t(`roleName.${code}` as MessageKey));
    for (const r of roles.data ?? []) if (!r.code.startsWith('customer_')) codes.set(r.code, codes.get(r.code) ?? r.name);
    for (const s of initial.policy.escalation) for (const r of s.roles) if (!codes.has(r)) codes.set(r, r);
    return [...codes].map(([value, label]) => ({ value, label: `${label}${t('common.paren', { text: value })}` }));
  }, [roles.data, initial, t]);

  const levelOptions = [...levels].sort((a, b) => a.rank - b.rank).map((l) => ({ value: l.code, label: `${levelCode(l)} ${l.name ?? ''}` }));

  const save = async () => {
    setProblem(null);
    try {
      await form.validateFields();
    } catch {
      const first = form.getFieldsError().find((f) => f.errors.length);
      if (first) form.scrollToField(first.name, { block: 'center' });
      return;
    }
    setSaving(true);
    try {
      const doc = fromForm(form.getFieldsValue(true) as SlaFormValues);
      const r = await api.put<ContractSlaResponse>(`/contracts/${contractId}/sla`, { templateId: data.sla.templateId ?? null, ...doc, version: data.version });
      message.success(t('sla.saved'));
      setDirty(false);
      onSaved(r);
    } catch (e) {
      if (isApiError(e) && e.status === 409) setProblem({ text: t('common.conflictTitle'), errors: [], conflict: true });
      else {
        setServerErrors(form, e, { map: mapSlaPath, scroll: true });
        setProblem({ text: problemText(e, isApiError(e) && e.errors.length > 0), errors: isApiError(e) ? e.errors : [] });
      }
    } finally {
      setSaving(false);
    }
  };

  const scrollTo = (field: string) => {
    const name = mapSlaPath(
      field
        .replace(/\[(\d+)\]/g, '.$1')
        .split('.')
        .filter(Boolean)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
    );
    const registered = new Set(form.getFieldsError().map((f) => JSON.stringify(f.name)));
    let n = name;
    while (n.length > 1 && !registered.has(JSON.stringify(n))) n = n.slice(0, -1);
    if (registered.has(JSON.stringify(n))) form.scrollToField(n, { block: 'center', focus: true });
  };

  const keys = rowKeys(levels, initial.policy.targets);
  const levelName = (k: string) => levels.find((l) => l.code === k)?.name ?? k;

  return (
    <Form<SlaFormValues>
      form={form}
      layout="vertical"
      initialValues={initial}
      disabled={readOnly}
      data-testid="sla-form"
      onValuesChange={() => {
        if (!dirty) setDirty(true);
        onDocChange(fromForm(form.getFieldsValue(true) as SlaFormValues));
      }}
      onKeyDown={saveOnCtrlEnter(!readOnly, () => void save())}
    >
      {!readOnly && (
        <EditorSaveBar
          dirty={dirty}
          saving={saving}
          onUndo={
            startDirty
              ? undefined
              : () => {
                  form.resetFields();
                  setProblem(null);
                  setDirty(false);
                  onDocChange(fromForm(initial));
                }
          }
          onSave={() => void save()}
          saveLabel={t('sla.save')}
          testids={{ state: 'sla-state', undo: 'sla-reset', save: 'sla-save' }}
        />
      )}
      {problem && (
        <EditorProblemAlert
          problem={problem}
          details={
            problem.errors.length > 0 ? (
              <>
                <div>{t('sla.errorsTitle')}</div>
                <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                  {problem.errors.map((e, i) => (
                    <li key={i} data-testid="sla-error-item">
                      <Typography.Link onClick={() => scrollTo(e.field)}>{describe(e.field)}</Typography.Link>
                      {t('common.colon')}
                      {e.message}
                    </li>
                  ))}
                </ul>
              </>
            ) : undefined
          }
          onReload={onReload}
          testids={{ error: 'sla-errors', conflict: 'sla-conflict', reload: 'sla-reload' }}
        />
      )}

      <Card size="small" style={{ marginBottom: 16 }}>
        <Form.Item
          name={['policy', 'name']}
          label={t('sla.policyName')}
          style={{ marginBottom: 0 }}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sla.policyName') }) }]}
        >
          <Input maxLength={100} data-testid="sla-policy-name" />
        </Form.Item>
      </Card>

      <Card size="small" title={t('sla.matrix')} style={{ marginBottom: 16 }} data-testid="sla-matrix">
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('sla.matrixHelp')}
        </Typography.Paragraph>
        <div style={{ overflowX: 'auto' }}>
          <table className="ant-table" style={{ borderCollapse: 'collapse', minWidth: 520, width: '100%' }}>
            <thead>
              <tr>
                <th style={{ textAlign: 'left', padding: 6, fontWeight: 500 }}>
                  {t('sla.impact')} \ {t('sla.urgency')}
                </th>
                {matrix.urgencies.map((u) => (
                  <th key={u.code} style={{ textAlign: 'left', padding: 6, fontWeight: 500 }}>
                    {axisName('urgency', u)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {matrix.impacts.map((i) => (
                <tr key={i.code}>
                  <td style={{ padding: 6, whiteSpace: 'nowrap' }}>{axisName('impact', i)}</td>
                  {matrix.urgencies.map((u) => (
                    <td key={u.code} style={{ padding: 6, verticalAlign: 'top' }}>
                      <Form.Item name={['matrix', 'cells', i.code, u.code]} style={{ marginBottom: 0 }}>
                        <Select
                          options={levelOptions}
                          style={{ minWidth: 120, width: '100%' }}
                          data-testid={`sla-matrix-cell-${i.code}-${u.code}`}
                          aria-label={`${t('sla.impact')} ${axisName('impact', i)} × ${t('sla.urgency')} ${axisName('urgency', u)}`}
                        />
                      </Form.Item>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Typography.Text strong style={{ display: 'block', margin: '12px 0 6px' }}>
          {t('sla.levels')}
        </Typography.Text>
        <Flex gap={8} wrap>
          {initial.matrix.levels.map((l, idx) => (
            <Flex key={l.code} gap={4} align="flex-start">
              <Tag style={{ marginTop: 5 }}>{levelCode(l)}</Tag>
              <Form.Item
                name={['matrix', 'levels', idx, 'name']}
                style={{ marginBottom: 0 }}
                rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sla.levelName') }) }]}
              >
                <Input maxLength={60} style={{ width: 150 }} data-testid={`sla-level-name-${l.code}`} aria-label={`${t('sla.levelName')} ${levelCode(l)}`} />
              </Form.Item>
            </Flex>
          ))}
        </Flex>
      </Card>

      <Card size="small" title={t('sla.targets')} style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('sla.targetsHelp')}
          <br />
          {t('sla.targetsStagesHelp')}
        </Typography.Paragraph>
        <Table
          size="small"
          rowKey="key"
          pagination={false}
          data-testid="sla-targets"
          scroll={{ x: 130 + 4 * 206 }}
          dataSource={keys.map((key) => ({ key }))}
          onRow={(r) => ({ 'data-testid': `sla-targets-row-${tid(r.key)}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            {
              title: t('sla.priority'),
              key: 'level',
              width: 130,
              fixed: 'left',
              render: (_: unknown, r: { key: string }) =>
                r.key === ANY_PRIORITY ? (
                  <Flex vertical>
                    <Typography.Text strong>{t('sla.otherPriorities')}</Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('sla.otherPrioritiesHelp')}
                    </Typography.Text>
                  </Flex>
                ) : (
                  <Flex vertical>
                    <Typography.Text strong>{levelName(r.key)}</Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {levelCode(levels.find((l) => l.code === r.key) ?? { code: r.key, rank: 0 })}
                    </Typography.Text>
                  </Flex>
                ),
            },
            ...SLA_METRICS.map((m) => ({
              title: t(metricKey(m)),
              key: m,
              width: 206,
              render: (_: unknown, r: { key: string }) => (
                <TargetCell form={form} rowKey={r.key} metric={m} calendarOptions={calendarOptions} disabled={readOnly} />
              ),
            })),
          ]}
        />
      </Card>

      <Card size="small" title={t('sla.pause')} style={{ marginBottom: 16 }} data-testid="sla-pause">
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('sla.pauseHelp')}
        </Typography.Paragraph>
        {SLA_METRICS.map((m) => (
          <Flex key={m} gap={12} align="center" wrap>
            <Typography.Text style={{ width: 96 }}>{t(metricKey(m))}</Typography.Text>
            <Form.Item name={['policy', 'pauseOn', m]} style={{ marginBottom: 8 }}>
              <Checkbox.Group
                options={PAUSE_STATES.map((s) => ({
                  value: s,
                  label: <span data-testid={`sla-pause-${m}-${s}`}>{t(`sla.state.${s}` as MessageKey)}</span>,
                }))}
              />
            </Form.Item>
          </Flex>
        ))}
      </Card>

      <Card size="small" title={t('sla.warnings')} style={{ marginBottom: 16 }} data-testid="sla-warnings">
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('sla.warningsHelp')}
        </Typography.Paragraph>
        <Form.List name={['policy', 'warnings']}>
          {(fields, { add, remove }) => (
            <Flex gap={8} wrap align="flex-start">
              {fields.length === 0 && <Typography.Text type="secondary">{t('sla.noWarnings')}</Typography.Text>}
              {fields.map((f, i) => (
                <Flex key={f.key} gap={2} align="flex-start">
                  <Form.Item
                    name={f.name}
                    style={{ marginBottom: 0 }}
                    rules={[
                      { required: true, message: t('sla.valueRequired') },
                      { type: 'number', min: 1, max: 99, message: t('sla.warningRange') },
                    ]}
                  >
                    <InputNumber min={1} suffix="%" style={{ width: 96 }} data-testid={`sla-warning-${i}`} aria-label={`${t('sla.warnings')} ${i + 1}`} />
                  </Form.Item>
                  {!readOnly && (
                    <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.remove')} data-testid={`sla-warning-remove-${i}`} />
                  )}
                </Flex>
              ))}
              {!readOnly && (
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() => {
                    const list = (form.getFieldValue(['policy', 'warnings']) as (number | null)[]) ?? [];
                    const last = list.length ? (list[list.length - 1] ?? 0) : 0;
                    add(last < 90 ? Math.min(95, (last || 40) + 10) : null);
                  }}
                  data-testid="sla-warning-add"
                >
                  {t('sla.addWarning')}
                </Button>
              )}
            </Flex>
          )}
        </Form.List>
      </Card>

      <Card size="small" title={t('sla.escalation')} style={{ marginBottom: 16 }} data-testid="sla-escalation">
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('sla.escalationHelp')}
        </Typography.Paragraph>
        <Form.List name={['policy', 'escalation']}>
          {(fields, { add, remove }) => (
            <Flex vertical gap={8}>
              {fields.length === 0 && <Typography.Text type="secondary">{t('sla.noSteps')}</Typography.Text>}
              {fields.map((f, i) => (
                <div key={f.key} style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: '8px 12px' }} data-testid={`sla-escalation-${i}`}>
                  <Flex justify="space-between" align="center" style={{ marginBottom: 4 }}>
                    <Typography.Text strong>{t('sla.step.n', { n: i + 1 })}</Typography.Text>
                    {!readOnly && (
                      <Button
                        type="text"
                        danger
                        size="small"
                        icon={<DeleteOutlined />}
                        onClick={() => remove(f.name)}
                        aria-label={t('common.remove')}
                        data-testid={`sla-escalation-${i}-remove`}
                      />
                    )}
                  </Flex>
                  <Flex gap={8} wrap align="flex-start">
                    <Form.Item name={[f.name, 'metric']} label={t('sla.step.metric')} style={{ marginBottom: 8, width: 120 }}>
                      <Select
                        data-testid={`sla-escalation-${i}-metric`}
                        options={[{ value: 'all', label: t('sla.allMetrics') }, ...SLA_METRICS.map((m) => ({ value: m, label: t(metricKey(m)) }))]}
                      />
                    </Form.Item>
                    <Form.Item label={t('sla.trigger')} style={{ marginBottom: 8 }} required>
                      <Flex gap={4} align="flex-start">
                        <Form.Item
                          name={[f.name, 'value']}
                          style={{ marginBottom: 0 }}
                          rules={[{ required: true, message: t('sla.valueRequired') }, { type: 'number', min: 1, message: t('sla.valueRequired') }]}
                        >
                          <InputNumber min={1} style={{ width: 96 }} data-testid={`sla-escalation-${i}-value`} aria-label={t('sla.trigger')} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'trigger']} style={{ marginBottom: 0 }}>
                          <Select
                            style={{ width: 150 }}
                            data-testid={`sla-escalation-${i}-trigger`}
                            options={[
                              { value: 'percent', label: t('sla.trigger.percent') },
                              { value: 'minutes', label: t('sla.trigger.minutes') },
                            ]}
                          />
                        </Form.Item>
                      </Flex>
                    </Form.Item>
                    <Form.Item name={[f.name, 'action']} label={t('sla.step.action')} style={{ marginBottom: 8, width: 140 }}>
                      <Select
                        data-testid={`sla-escalation-${i}-action`}
                        options={ESCALATION_ACTIONS.map((a) => ({ value: a, label: t(`sla.action.${a}` as MessageKey) }))}
                      />
                    </Form.Item>
                  </Flex>
                  <Flex gap={8} wrap align="flex-start">
                    <Form.Item
                      name={[f.name, 'roles']}
                      label={t('sla.step.roles')}
                      style={{ marginBottom: 0, flex: '1 1 220px' }}
                      dependencies={[
                        ['policy', 'escalation', f.name, 'action'],
                        ['policy', 'escalation', f.name, 'userIds'],
                      ]}
                      rules={[
                        ({ getFieldValue }) => ({
                          validator: (_, roles?: string[]) => {
                            const action = getFieldValue(['policy', 'escalation', f.name, 'action']) as string;
                            const users = (getFieldValue(['policy', 'escalation', f.name, 'userIds']) as number[] | undefined) ?? [];
                            return action === 'notify' && !(roles?.length) && users.length === 0
                              ? Promise.reject(new Error(t('sla.notifyNeedsRoles')))
                              : Promise.resolve();
                          },
                        }),
                      ]}
                    >
                      <Select mode="multiple" options={roleOptions} data-testid={`sla-escalation-${i}-roles`} maxTagCount="responsive" />
                    </Form.Item>
                    {can('users.read') && (
                      <Form.Item name={[f.name, 'userIds']} label={t('sla.step.users')} style={{ marginBottom: 0, flex: '1 1 220px' }}>
                        <RemoteSelect resource="users" multiple testid={`sla-escalation-${i}-users`} disabled={readOnly} />
                      </Form.Item>
                    )}
                  </Flex>
                </div>
              ))}
              {!readOnly && (
                <div>
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({ metric: 'all', trigger: 'percent', value: 100, roles: ['pm'], userIds: [], action: 'notify' } satisfies StepV)}
                    data-testid="sla-escalation-add"
                  >
                    {t('sla.addStep')}
                  </Button>
                </div>
              )}
            </Flex>
          )}
        </Form.List>
      </Card>
    </Form>
  );
}
