import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, List, Modal, Result, Skeleton, Space, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { PageHeader } from '../../components/PageHeader';
import { isApiError } from '../../api/client';
import { REPORTS, fileUrl, reportsApi, useRecipients, useReport, type Report, type ReportAction } from '../../api/reports';
import { useI18n, type MessageKey } from '../../i18n';
import { DueText, RecipientSelect, SectionBody, StateTag } from './reportsShared';

type Dialog = null | 'issue' | 'signoff' | 'return' | 'reject' | 'new_version';

/**
 * A service report: its sections (figures frozen at generation; narratives the PM writes),
 * versions and files, and the actions the caller may take now (the server says which). The same
 * page serves the provider's editor (/reports/:id) and the customer's portal (/portal/reports/:id),
 * where the customer's admin signs it off or returns it.
 */
export default function ReportPage({ portal = false }: { portal?: boolean }) {
  const { id } = useParams();
  const { t, fmtDateTime } = useI18n();
  const nav = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const q = useReport(Number(id));
  const r = q.data;
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [form] = Form.useForm();
  // Who is told when the PM issues: asked only of a report the caller may issue.
  const recipients = useRecipients(r?.contractId, !portal && !!r?.allowedActions.includes('issue'));

  useEffect(() => setDrafts({}), [r?.version]);

  if (q.isPending) return <Skeleton active />;
  if (q.isError || !r) return <Result status="404" title={isApiError(q.error) ? q.error.message : t('rpt.portal.empty')} />;

  const can = (a: ReportAction) => r.allowedActions.includes(a);
  const apply = (next: Report) => qc.setQueryData([REPORTS, r.id], next);
  const run = async (key: string, fn: () => Promise<Report>, ok?: MessageKey) => {
    setBusy(key);
    try {
      const next = await fn();
      apply(next);
      await qc.invalidateQueries({ queryKey: [REPORTS, 'board'] });
      if (ok) message.success(t(ok));
      return true;
    } catch (e) {
      if (isApiError(e) && e.status === 409) {
        await q.refetch();
        message.warning(e.message || t('rpt.stale'));
      } else message.error(isApiError(e) ? [e.message, ...e.errors.map((x) => x.message)].join('；') : String(e));
      return false;
    } finally {
      setBusy(null);
    }
  };

  const saveNarrative = (key: string) => run(`save:${key}`, () => reportsApi.narratives(r, { [key]: drafts[key] ?? null }), 'rpt.saved');
  const submitDialog = async () => {
    const v = await form.validateFields();
    const done =
      dialog === 'issue'
        ? await run('issue', () => reportsApi.issue(r, v.recipients), 'rpt.issued')
        : dialog === 'signoff'
        ? await run('signoff', () => reportsApi.signoff(r, v.signerName, v.opinion || null), 'rpt.signed')
        : dialog === 'return'
          ? await run('return', () => reportsApi.returnIt(r, v.signerName, v.opinion), 'rpt.returnedOk')
          : dialog === 'reject'
            ? await run('reject', () => reportsApi.review(r, false, v.reviewComment))
            : await run('new_version', () => reportsApi.newVersion(r, v.note || null));
    if (done) {
      setDialog(null);
      form.resetFields();
    }
  };

  const editing = can('edit');
  const dirty = (key: string) => drafts[key] !== undefined && drafts[key] !== (r.sections.find((s) => s.key === key)?.narrative ?? '');
  const sections = r.sections.filter((s) => s.kind !== 'cover');

  return (
    <>
      <PageHeader
        title={r.title}
        onBack={() => nav(portal ? '/portal/reports' : '/reports')}
        tags={<StateTag state={r.state} />}
        extra={
          <Space wrap>
            {can('refresh') && (
              <Button loading={busy === 'refresh'} onClick={() => run('refresh', () => reportsApi.command(r, 'refresh'))} data-testid="report-refresh">
                {t('rpt.action.refresh')}
              </Button>
            )}
            {can('submit') && (
              <Button loading={busy === 'submit'} onClick={() => run('submit', () => reportsApi.command(r, 'submit'))} data-testid="report-submit">
                {t('rpt.action.submit')}
              </Button>
            )}
            {can('reject') && (
              <Button onClick={() => setDialog('reject')} data-testid="report-reject">
                {t('rpt.action.reject')}
              </Button>
            )}
            {can('approve') && (
              <Button type="primary" loading={busy === 'approve'} onClick={() => run('approve', () => reportsApi.review(r, true, null))} data-testid="report-approve">
                {t('rpt.action.approve')}
              </Button>
            )}
            {can('issue') && (
              <Button type="primary" loading={busy === 'issue' || recipients.isPending} onClick={() => setDialog('issue')} data-testid="report-issue">
                {t('rpt.action.issue')}
              </Button>
            )}
            {can('new_version') && (
              <Button onClick={() => setDialog('new_version')} data-testid="report-new-version">
                {t('rpt.action.new_version')}
              </Button>
            )}
            {can('return') && (
              <Button danger onClick={() => setDialog('return')} data-testid="report-return">
                {t('rpt.action.return')}
              </Button>
            )}
            {can('signoff') && (
              <Button type="primary" onClick={() => setDialog('signoff')} data-testid="report-signoff">
                {t('rpt.action.signoff')}
              </Button>
            )}
          </Space>
        }
      />

      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }}>
          <Descriptions.Item label={t('rpt.meta.number')}>
            <span data-testid="report-number">{r.number}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('rpt.meta.version')}>{t('rpt.version.n', { n: r.seq })}</Descriptions.Item>
          <Descriptions.Item label={t('rpt.meta.due')}>
            <Space>
              {r.dueOn}
              <DueText overdue={r.overdue} daysLeft={r.daysLeft} onTime={r.onTime} />
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('rpt.col.period')}>{r.periodLabel}</Descriptions.Item>
          {r.preparedBy && <Descriptions.Item label={t('rpt.meta.preparedBy')}>{r.preparedBy.name}</Descriptions.Item>}
          {r.reviewedBy && <Descriptions.Item label={t('rpt.meta.reviewedBy')}>{r.reviewedBy.name}</Descriptions.Item>}
          <Descriptions.Item label={t('rpt.meta.generatedAt')}>{fmtDateTime(r.generatedAt)}</Descriptions.Item>
          {r.issuedAt && <Descriptions.Item label={t('rpt.meta.issuedAt')}>{fmtDateTime(r.issuedAt)}</Descriptions.Item>}
        </Descriptions>
        {r.signedAt && <Alert type="success" showIcon style={{ marginTop: 8 }} message={t('rpt.meta.signed', { name: r.signerName ?? '', at: fmtDateTime(r.signedAt) })} description={r.customerComment} data-testid="report-signed" />}
        {r.returnedAt && r.state === 'returned' && <Alert type="warning" showIcon style={{ marginTop: 8 }} message={t('rpt.meta.returned', { at: fmtDateTime(r.returnedAt), comment: r.customerComment ?? '' })} />}
        {r.reviewComment && <Alert type="info" showIcon style={{ marginTop: 8 }} message={t('rpt.meta.reviewComment', { comment: r.reviewComment })} />}
      </Card>

      <Flex vertical gap={16}>
        {sections.map((s, i) => (
          <Card
            key={s.key}
            size="small"
            title={`${i + 1}. ${s.title}`}
            extra={s.hidden ? <Typography.Text type="secondary">{t('rpt.hiddenSection')}</Typography.Text> : s.unavailable ? <Typography.Text type="secondary">{t('rpt.notEnabled')}</Typography.Text> : null}
            style={s.hidden ? { opacity: 0.6 } : undefined}
            data-testid={`report-section-${s.key}`}
          >
            {s.kind === 'narrative' ? (
              editing ? (
                <Flex vertical gap={8}>
                  <Input.TextArea
                    autoSize={{ minRows: 3, maxRows: 16 }}
                    value={drafts[s.key] ?? s.narrative ?? ''}
                    placeholder={t('rpt.narrative.placeholder', { title: s.title })}
                    onChange={(e) => setDrafts((d) => ({ ...d, [s.key]: e.target.value }))}
                    data-testid={`narrative-${s.key}`}
                  />
                  <Flex justify="flex-end">
                    <Button type={dirty(s.key) ? 'primary' : 'default'} disabled={!dirty(s.key)} loading={busy === `save:${s.key}`} onClick={() => saveNarrative(s.key)} data-testid={`narrative-save-${s.key}`}>
                      {t('rpt.save')}
                    </Button>
                  </Flex>
                </Flex>
              ) : (
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} type={s.narrative ? undefined : 'secondary'} data-testid={`narrative-text-${s.key}`}>
                  {s.narrative || t('rpt.narrative.empty')}
                </Typography.Paragraph>
              )
            ) : (
              <SectionBody section={s} />
            )}
          </Card>
        ))}

        <Card size="small" title={t('rpt.versions')}>
          <List
            dataSource={r.versions}
            renderItem={(v) => (
              <List.Item
                data-testid="report-version"
                actions={
                  v.issuedAt
                    ? [
                        ...(['pdf', 'docx', 'xlsx'] as const).map((f) => (
                          <a key={f} href={fileUrl(r.id, v.seq, f)} target={f === 'pdf' ? '_blank' : undefined} rel="noreferrer" data-testid={`download-${v.seq}-${f}`}>
                            <DownloadOutlined /> {f.toUpperCase()}
                          </a>
                        )),
                        // After the customer's answer the files above carry it; the bytes as issued stay on record.
                        ...(v.answer
                          ? [
                              <a key="issued" href={fileUrl(r.id, v.seq, 'pdf', true)} target="_blank" rel="noreferrer" data-testid={`download-${v.seq}-issued`}>
                                {t('rpt.version.asIssued')} PDF
                              </a>,
                            ]
                          : []),
                      ]
                    : []
                }
              >
                <List.Item.Meta
                  title={t('rpt.version.n', { n: v.seq })}
                  description={
                    v.issuedAt
                      ? `${t('rpt.meta.issuedAt')} ${fmtDateTime(v.issuedAt)}${v.issuedBy ? ` · ${v.issuedBy}` : ''}${v.note ? ` · ${v.note}` : ''}${v.answer ? ` · ${t(v.answer.state === 'signed' ? 'rpt.version.answered.signed' : 'rpt.version.answered.returned', { at: fmtDateTime(v.answer.at) })}` : ''}`
                      : `${t('rpt.version.draft')}${v.note ? ` · ${v.note}` : ''}`
                  }
                />
              </List.Item>
            )}
          />
        </Card>
      </Flex>

      <Modal
        open={dialog !== null}
        title={dialog ? t(`rpt.action.${dialog}` as MessageKey) : ''}
        okText={dialog ? t(`rpt.action.${dialog}` as MessageKey) : ''}
        onOk={submitDialog}
        confirmLoading={busy !== null}
        onCancel={() => setDialog(null)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false}>
          {dialog === 'issue' && (
            <>
              <Typography.Paragraph>{t('rpt.issue.confirm')}</Typography.Paragraph>
              <Form.Item
                name="recipients"
                label={t('rpt.issue.recipients')}
                initialValue={recipients.data?.selected}
                extra={`${t('rpt.issue.recipientsHelp')}${recipients.data?.source === 'plan' ? t('rpt.issue.fromPlan') : ''}`}
                rules={[{ required: true, type: 'array', min: 1, message: t('rpt.issue.recipientsRequired') }]}
              >
                <RecipientSelect choice={recipients.data} testId="issue-recipients" />
              </Form.Item>
            </>
          )}
          {(dialog === 'signoff' || dialog === 'return') && (
            <Form.Item name="signerName" label={t('rpt.signerName')} rules={[{ required: true, whitespace: true, max: 50 }]}>
              <Input data-testid="signoff-name" />
            </Form.Item>
          )}
          {dialog === 'signoff' && (
            <Form.Item name="opinion" label={t('rpt.opinion')} rules={[{ max: 2000 }]}>
              <Input.TextArea autoSize={{ minRows: 2 }} data-testid="signoff-opinion" />
            </Form.Item>
          )}
          {dialog === 'return' && (
            <Form.Item name="opinion" label={t('rpt.returnOpinion')} rules={[{ required: true, whitespace: true, max: 2000 }]}>
              <Input.TextArea autoSize={{ minRows: 3 }} data-testid="return-opinion" />
            </Form.Item>
          )}
          {dialog === 'reject' && (
            <Form.Item name="reviewComment" label={t('rpt.reviewComment')} rules={[{ required: true, whitespace: true, max: 2000 }]}>
              <Input.TextArea autoSize={{ minRows: 3 }} />
            </Form.Item>
          )}
          {dialog === 'new_version' && (
            <Form.Item name="note" label={t('rpt.note')} rules={[{ max: 500 }]}>
              <Input />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
