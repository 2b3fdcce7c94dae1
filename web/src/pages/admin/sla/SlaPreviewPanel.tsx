import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { Alert, DatePicker, Empty, Flex, Form, Segmented, Select, Spin, Tooltip, Typography } from 'antd';
import { api, isApiError } from '../../../api/client';
import { ANY_PRIORITY, type ContractSla, type SlaPreview } from '../../../api/types';
import { useI18n } from '../../../i18n';
import { atOwnOffset, offsetLabel } from '../../../lib/zoned';
import { useCalendarShortNames } from '../calendars/calendarShared';
import { metricKey, useAxisName, useLevelCode, useTargetText } from './slaShared';
import { useDescribeSlaField } from './SlaEditor';
import { useDebounced } from '../../../components/useDebounced';


/**
 * "What if a ticket were reported at …": POST /sla/preview with the document being edited
 * (saved or not) → due and warning instants per metric, shown in the calendars' wall time with
 * a small timeline.
 */
export function SlaPreviewPanel({ doc }: { doc: Pick<ContractSla, 'matrix' | 'policy'> | null }) {
  const { t, formats, locale } = useI18n();
  const describe = useDescribeSlaField(doc?.matrix);
  const amount = useTargetText();
  const calName = useCalendarShortNames();
  const axisName = useAxisName();
  const levelCode = useLevelCode();
  const [mode, setMode] = useState<'priority' | 'matrix'>('priority');
  const levels = useMemo(() => [...(doc?.matrix.levels ?? [])].sort((a, b) => a.rank - b.rank), [doc?.matrix.levels]);
  const [priority, setPriority] = useState<string | undefined>(undefined);
  const [impact, setImpact] = useState<string | undefined>(undefined);
  const [urgency, setUrgency] = useState<string | undefined>(undefined);
  const [reportedAt, setReportedAt] = useState<Dayjs>(() => dayjs().second(0).millisecond(0));

  const p = priority && levels.some((l) => l.code === priority) ? priority : levels[0]?.code;
  const imp = impact && doc?.matrix.impacts.some((x) => x.code === impact) ? impact : doc?.matrix.impacts[0]?.code;
  const urg = urgency && doc?.matrix.urgencies.some((x) => x.code === urgency) ? urgency : doc?.matrix.urgencies[0]?.code;

  const body = doc
    ? JSON.stringify({
        templateId: null,
        matrix: doc.matrix,
        policy: doc.policy,
        ...(mode === 'priority' ? { priority: p } : { impact: imp, urgency: urg }),
        reportedAt: reportedAt.format(),
      })
    : '';
  const debounced = useDebounced(body, 400);
  const q = useQuery({
    queryKey: ['/sla/preview', debounced],
    queryFn: ({ signal }) => api.post<SlaPreview>('/sla/preview', JSON.parse(debounced) as unknown, { signal }),
    enabled: debounced !== '',
    retry: false,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });

  const fmt = (iso: string) => atOwnOffset(iso).locale(locale === 'zh-CN' ? 'zh-cn' : 'en').format(formats.dateTime);
  const fmtShort = (iso: string) => atOwnOffset(iso).locale(locale === 'zh-CN' ? 'zh-cn' : 'en').format(locale === 'zh-CN' ? 'M月D日 HH:mm' : 'MMM D HH:mm');
  const localOffset = offsetLabel(dayjs().format());
  const levelName = (code: string) => {
    const l = levels.find((x) => x.code === code);
    return l ? `${levelCode(l)} ${l.name}` : code;
  };
  const targetOf = (metric: string, pr: string) => {
    const targets = doc?.policy.targets ?? {};
    const tg = targets[pr]?.[metric as 'response'] ?? targets[ANY_PRIORITY]?.[metric as 'response'];
    return tg ? `${amount(tg)}${t('common.paren', { text: calName(tg.calendarId) })}` : '';
  };

  const data = q.data;
  const stale = q.isFetching || body !== debounced;
  const invalid = q.isError && isApiError(q.error) && q.error.status === 400;

  // timeline: from the report to the last due instant
  const start = reportedAt.valueOf();
  const dues = (data?.metrics ?? []).map((m) => (m.dueAt ? dayjs(m.dueAt).valueOf() : start));
  const end = Math.max(start + 60_000, ...dues);
  const pct = (ms: number) => `${Math.max(0, Math.min(100, ((ms - start) / (end - start)) * 100))}%`;

  return (
    <div data-testid="sla-preview">
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('sla.previewHelp')}
      </Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item style={{ marginBottom: 8 }}>
          <Segmented
            value={mode}
            onChange={(v) => setMode(v as 'priority' | 'matrix')}
            options={[
              { value: 'priority', label: <span data-testid="sla-preview-mode-priority">{t('sla.previewBy.priority')}</span> },
              { value: 'matrix', label: <span data-testid="sla-preview-mode-matrix">{t('sla.previewBy.matrix')}</span> },
            ]}
          />
        </Form.Item>
        {mode === 'priority' ? (
          <Form.Item label={t('sla.priority')} style={{ marginBottom: 8 }}>
            <Select value={p} onChange={setPriority} options={levels.map((l) => ({ value: l.code, label: `${levelCode(l)} ${l.name}` }))} data-testid="sla-preview-priority" />
          </Form.Item>
        ) : (
          <Flex gap={8}>
            <Form.Item label={t('sla.impact')} style={{ marginBottom: 8, flex: 1 }}>
              <Select value={imp} onChange={setImpact} options={(doc?.matrix.impacts ?? []).map((x) => ({ value: x.code, label: axisName('impact', x) }))} data-testid="sla-preview-impact" />
            </Form.Item>
            <Form.Item label={t('sla.urgency')} style={{ marginBottom: 8, flex: 1 }}>
              <Select value={urg} onChange={setUrgency} options={(doc?.matrix.urgencies ?? []).map((x) => ({ value: x.code, label: axisName('urgency', x) }))} data-testid="sla-preview-urgency" />
            </Form.Item>
          </Flex>
        )}
        <Form.Item label={`${t('sla.reportedAt')}${t('common.paren', { text: localOffset })}`} style={{ marginBottom: 8 }}>
          <DatePicker
            showTime={{ format: 'HH:mm' }}
            format={[formats.dateTime, 'YYYY-MM-DD HH:mm']}
            value={reportedAt}
            allowClear={false}
            onChange={(d) => d && setReportedAt(d.second(0).millisecond(0))}
            style={{ width: '100%' }}
            data-testid="sla-preview-reported"
          />
        </Form.Item>
      </Form>

      {invalid && (
        <Alert
          type="warning"
          showIcon
          data-testid="sla-preview-error"
          title={t('sla.previewFix')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {(isApiError(q.error) ? q.error.errors : []).map((e, i) => (
                <li key={i}>
                  {describe(e.field)}
                  {t('common.colon')}
                  {e.message}
                </li>
              ))}
            </ul>
          }
        />
      )}
      {q.isError && !invalid && <Alert type="error" showIcon title={isApiError(q.error) ? q.error.message : String(q.error)} data-testid="sla-preview-error" />}
      {!q.isError && !data && <Spin />}
      {!invalid && data && (
        <Spin spinning={stale} delay={200}>
          <div data-testid="sla-preview-result" data-priority={data.priority}>
            <Typography.Text strong data-testid="sla-preview-priority-result">
              {t('sla.previewPriority', { name: levelName(data.priority) })}
            </Typography.Text>
            {data.metrics.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sla.previewNoTargets')} />
            ) : (
              <Flex vertical gap={10} style={{ marginTop: 8 }}>
                {data.metrics.map((m) => (
                  <div key={m.metric} data-testid={`sla-preview-${m.metric}`}>
                    <Flex justify="space-between" wrap gap={4}>
                      <span>
                        <Typography.Text strong>{t(metricKey(m.metric))}</Typography.Text>{' '}
                        <Typography.Text type="secondary">{targetOf(m.metric, data.priority)}</Typography.Text>
                      </span>
                      <span>
                        {t('sla.due')}{' '}
                        <Typography.Text strong data-testid={`sla-preview-${m.metric}-due`}>
                          {m.dueAt ? fmt(m.dueAt) : '—'}
                        </Typography.Text>
                        {m.dueAt && offsetLabel(m.dueAt) !== localOffset && (
                          <Typography.Text type="secondary"> {offsetLabel(m.dueAt)}</Typography.Text>
                        )}
                      </span>
                    </Flex>
                    {m.warnings.length > 0 && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`sla-preview-${m.metric}-warnings`}>
                        {m.warnings.map((w) => `${t('sla.warningAt', { percent: w.percent })} ${fmtShort(w.at)}`).join(' · ')}
                      </Typography.Text>
                    )}
                  </div>
                ))}
                <div data-testid="sla-preview-timeline" style={{ marginTop: 4 }}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('sla.timeline')}
                  </Typography.Text>
                  {data.metrics.map((m) => {
                    const due = m.dueAt ? dayjs(m.dueAt).valueOf() : start;
                    return (
                      <Flex key={m.metric} gap={8} align="center" style={{ marginTop: 6 }}>
                        <span style={{ width: 72, fontSize: 12, flex: 'none', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{t(metricKey(m.metric))}</span>
                        <div className="yw-timeline-track" style={{ flex: 1 }}>
                          <div className="yw-timeline-bar" style={{ width: pct(due) }} />
                          {m.warnings.map((w) => (
                            <Tooltip key={w.percent} title={`${t('sla.warningAt', { percent: w.percent })} ${fmt(w.at)}`}>
                              <div className="yw-timeline-tick" style={{ left: pct(dayjs(w.at).valueOf()) }} />
                            </Tooltip>
                          ))}
                          {m.dueAt && (
                            <Tooltip title={`${t('sla.due')} ${fmt(m.dueAt)}`}>
                              <div className="yw-timeline-due" style={{ left: `calc(${pct(due)} - 2px)` }} />
                            </Tooltip>
                          )}
                        </div>
                      </Flex>
                    );
                  })}
                  <Flex justify="space-between" style={{ fontSize: 11, marginTop: 4, paddingLeft: 80 }}>
                    <Typography.Text type="secondary">{fmtShort(reportedAt.format())}</Typography.Text>
                    <Typography.Text type="secondary">{fmtShort(dayjs(end).format())}</Typography.Text>
                  </Flex>
                </div>
              </Flex>
            )}
          </div>
        </Spin>
      )}
    </div>
  );
}
