import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, DatePicker, Descriptions, Empty, Flex, Form, Input, InputNumber, Modal, Radio, Row, Spin, Tag, Typography } from 'antd';
import { DeleteOutlined, DownloadOutlined, EditOutlined, EyeOutlined, FileDoneOutlined, PlusOutlined, SaveOutlined, UploadOutlined } from '@ant-design/icons';
import { api, isApiError } from '../../api/client';
import { useCurrentUser } from '../../auth/session';
import { PartsFromStock } from '../parts/PartsFromStock';
import { useI18n } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SignaturePad, type SignaturePadHandle } from '../../components/SignaturePad';
import { useIsMobile } from '../../components/useIsMobile';
import { useUnsavedGuard } from '../../components/useUnsavedGuard';
import { setServerErrors } from '../../lib/formErrors';
import { dayjs, wallToIso } from '../../lib/zoned';
import type { Dayjs } from 'dayjs';

// The report as the API returns it (server/src/modules/fieldservice/schema.ts, docs/REPAIR-REPORTS.md).
type RepairResult = 'fixed' | 'temporary' | 'not_fixed';
const RESULTS: RepairResult[] = ['fixed', 'temporary', 'not_fixed'];
interface PartUsed {
  name: string;
  model: string | null;
  quantity: number;
  serial: string | null;
}
interface RepairReport {
  id: number;
  ticketId: number;
  number: string;
  state: 'draft' | 'signed';
  customerName: string;
  siteName: string | null;
  contactName: string | null;
  contactPhone: string | null;
  reportedAt: string;
  timeZone: string;
  fault: string | null;
  diagnosis: string | null;
  cause: string | null;
  actions: string | null;
  partsUsed: PartUsed[];
  startedAt: string | null;
  finishedAt: string | null;
  engineerName: string | null;
  result: RepairResult | null;
  customerOpinion: string | null;
  signerName: string | null;
  signedAt: string | null;
  signedVia: 'portal' | 'onsite' | 'paper' | null;
  signedOnPaper: boolean;
  signaturePng: string | null;
  scan: { name: string; mime: string; size: number } | null;
  version: number;
  allowedActions: Array<'edit' | 'sign' | 'sign_paper'>;
}

interface FormValues {
  siteName?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  startedAt?: Dayjs | null;
  finishedAt?: Dayjs | null;
  fault?: string | null;
  diagnosis?: string | null;
  cause?: string | null;
  actions?: string | null;
  result?: RepairResult | null;
  customerOpinion?: string | null;
  partsUsed?: Array<{ name?: string; model?: string | null; quantity?: number | null; serial?: string | null }>;
}

const TEXTS = ['fault', 'diagnosis', 'cause', 'actions'] as const;

/** The wall time of an instant in the customer's zone, as a Dayjs whose fields read it (for pickers and display). */
function wallIn(iso: string, tz: string): Dayjs {
  try {
    return dayjs(dayjs(iso).tz(tz).format('YYYY-MM-DDTHH:mm:ss'));
  } catch {
    return dayjs(iso);
  }
}

function toForm(r: RepairReport): FormValues {
  return {
    siteName: r.siteName,
    contactName: r.contactName,
    contactPhone: r.contactPhone,
    startedAt: r.startedAt ? wallIn(r.startedAt, r.timeZone) : null,
    finishedAt: r.finishedAt ? wallIn(r.finishedAt, r.timeZone) : null,
    fault: r.fault,
    diagnosis: r.diagnosis,
    cause: r.cause,
    actions: r.actions,
    result: r.result,
    customerOpinion: r.customerOpinion,
    partsUsed: r.partsUsed,
  };
}

const base = (ticketId: string) => `/tickets/${ticketId}/repair-report`;
const pdfUrl = (r: RepairReport) => `/api/v1/tickets/${r.ticketId}/repair-report/pdf?v=${r.version}`;

/**
 * /tickets/:id/report (the engineer: fill in the draft, preview the PDF, let the customer sign on
 * this device or record a paper signing) and /portal/tickets/:id/report (the customer's staff:
 * read the report and sign it). One column and big buttons on a phone.
 */
export default function RepairReportPage() {
  const { id = '' } = useParams();
  const portal = useLocation().pathname.startsWith('/portal');
  const navigate = useNavigate();
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const me = useCurrentUser();
  const mobile = useIsMobile();
  const [form] = Form.useForm<FormValues>();
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [preview, setPreview] = useState(false);
  const [signing, setSigning] = useState(false);
  const [paper, setPaper] = useState(false);
  useUnsavedGuard(dirty);

  const key = ['/tickets', id, 'repair-report'];
  const q = useQuery({ queryKey: key, queryFn: () => api.get<RepairReport | null>(base(id)), enabled: /^\d+$/.test(id) });
  const report = q.data;
  const editable = !!report?.allowedActions.includes('edit');

  // A report loaded or saved: the form shows it (typed text is never overwritten while unsaved).
  useEffect(() => {
    if (report && editable && !dirty) form.setFieldsValue(toForm(report));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [report?.id, report?.version, editable]);

  const put = (r: RepairReport) => qc.setQueryData(key, r);
  const back = () => navigate(portal ? `/portal/tickets/${id}` : `/tickets/${id}`);
  const noReport = q.data === null; // the server answers null while the ticket has no report

  const create = async () => {
    setCreating(true);
    try {
      put(await api.post<RepairReport>(base(id)));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setCreating(false);
    }
  };

  /** Saves the draft; the report as saved, or null (errors shown on the fields or above the form). */
  const save = async (): Promise<RepairReport | null> => {
    if (!report) return null;
    let values: FormValues;
    try {
      values = await form.validateFields();
    } catch {
      return null;
    }
    setSaving(true);
    setError(null);
    try {
      const saved = await api.patch<RepairReport>(base(id), {
        version: report.version,
        siteName: values.siteName ?? null,
        contactName: values.contactName ?? null,
        contactPhone: values.contactPhone ?? null,
        startedAt: values.startedAt ? wallToIso(values.startedAt, report.timeZone) : null,
        finishedAt: values.finishedAt ? wallToIso(values.finishedAt, report.timeZone) : null,
        fault: values.fault ?? null,
        diagnosis: values.diagnosis ?? null,
        cause: values.cause ?? null,
        actions: values.actions ?? null,
        result: values.result ?? null,
        customerOpinion: values.customerOpinion ?? null,
        partsUsed: (values.partsUsed ?? []).map((p) => ({ name: p.name ?? '', model: p.model || null, quantity: p.quantity ?? 1, serial: p.serial || null })),
      });
      setDirty(false);
      put(saved);
      message.success(t('report.saved'));
      return saved;
    } catch (e) {
      const rest = setServerErrors(form, e);
      if (!isApiError(e) || e.errors.length === 0 || rest.length) setError(e);
      return null;
    } finally {
      setSaving(false);
    }
  };

  /** The customer signs on this device: unsaved edits are saved first, so he signs what he sees. */
  const openSign = async () => {
    if (dirty && !(await save())) return;
    setSigning(true);
  };

  const reload = async () => {
    setError(null);
    setDirty(false);
    const r = await q.refetch();
    if (r.data) form.setFieldsValue(toForm(r.data));
  };

  if (q.isPending && q.fetchStatus !== 'idle') {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }

  const header = (
    <PageHeader
      onBack={back}
      title={t('report.title')}
      subtitle={report ? <span data-testid="report-number">{report.number}</span> : undefined}
      tags={
        report && (
          <Tag color={report.state === 'signed' ? 'green' : 'orange'} data-testid="report-state" data-state={report.state}>
            {t(`report.state.${report.state}`)}
          </Tag>
        )
      }
    />
  );

  if (!report) {
    return (
      <div data-testid="page-repair-report">
        {header}
        {noReport ? (
          <Card>
            <Empty description={t(portal || me.customerId != null ? 'report.none.customer' : 'report.none.provider')} data-testid="report-empty">
              {!portal && me.customerId == null && (
                <Button type="primary" size="large" icon={<FileDoneOutlined />} loading={creating} onClick={() => void create()} data-testid="report-create">
                  {t('report.create')}
                </Button>
              )}
            </Empty>
          </Card>
        ) : (
          <ErrorAlert error={q.error} onRetry={() => q.refetch()} />
        )}
      </div>
    );
  }

  const big = { size: 'large' as const, style: mobile ? { flex: '1 1 100%' } : undefined };
  const actions: ReactNode[] = [];
  if (editable) {
    actions.push(
      <Button key="save" type="primary" icon={<SaveOutlined />} loading={saving} disabled={!dirty} onClick={() => void save()} data-testid="report-save" {...big}>
        {t('report.save')}
      </Button>,
    );
  }
  if (!mobile) {
    actions.push(
      <Button key="preview" icon={<EyeOutlined />} disabled={dirty} onClick={() => setPreview((v) => !v)} data-testid="report-preview" {...big}>
        {t(preview ? 'report.hidePreview' : 'report.preview')}
      </Button>,
    );
  }
  actions.push(
    <Button key="download" icon={<DownloadOutlined />} href={pdfUrl(report)} download={`${report.number}.pdf`} disabled={dirty} data-testid="report-download" {...big}>
      {t('report.download')}
    </Button>,
  );
  if (report.allowedActions.includes('sign')) {
    actions.push(
      <Button key="sign" type={editable ? 'default' : 'primary'} icon={<EditOutlined />} loading={saving} onClick={() => void openSign()} data-testid="report-sign-open" {...big}>
        {t(portal || me.customerId != null ? 'report.signCustomer' : 'report.sign')}
      </Button>,
    );
  }
  if (report.allowedActions.includes('sign_paper')) {
    actions.push(
      <Button key="paper" icon={<UploadOutlined />} disabled={dirty} onClick={() => setPaper(true)} data-testid="report-paper-open" {...big}>
        {t('report.paper')}
      </Button>,
    );
  }

  return (
    <div data-testid="page-repair-report">
      {header}
      {error != null && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={errorText(error)}
          data-testid="report-error"
          action={
            isApiError(error) && error.status === 409 ? (
              <Button size="small" onClick={() => void reload()}>
                {t('report.reload')}
              </Button>
            ) : undefined
          }
        />
      )}
      {report.state === 'signed' && <Alert type="success" showIcon style={{ marginBottom: 16 }} title={t('report.signedNotice')} data-testid="report-signed-notice" />}
      {editable ? <ReportForm form={form} report={report} onChange={() => setDirty(true)} /> : <ReportView report={report} />}
      <Flex gap={8} wrap style={{ margin: '16px 0' }}>
        {actions}
      </Flex>
      {preview && !mobile && !dirty && (
        <iframe title={t('report.preview')} src={pdfUrl(report)} style={{ width: '100%', height: 800, border: '1px solid #f0f0f0', background: '#fff' }} data-testid="report-pdf-frame" />
      )}
      {signing && (
        <SignatureOverlay
          report={report}
          defaultSigner={me.customerId != null ? me.displayName : report.contactName ?? ''}
          onClose={() => setSigning(false)}
          onSigned={(r) => {
            put(r);
            setSigning(false);
            message.success(t('report.signedToast'));
          }}
        />
      )}
      {paper && (
        <PaperSigningModal
          report={report}
          onClose={() => setPaper(false)}
          onSigned={(r) => {
            put(r);
            setPaper(false);
            message.success(t('report.signedToast'));
          }}
        />
      )}
    </div>
  );
}

// ------------------------------------------------------------ the engineer's form

function ReportForm({ form, report, onChange }: { form: ReturnType<typeof Form.useForm<FormValues>>[0]; report: RepairReport; onChange: () => void }) {
  const { t, fmtDateTime, formats } = useI18n();
  const half = { xs: 24, md: 12 };
  return (
    <Form form={form} layout="vertical" onValuesChange={onChange} data-testid="report-form" requiredMark={false}>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('report.customer')}>{report.customerName}</Descriptions.Item>
          <Descriptions.Item label={t('report.reportedAt')}>{fmtDateTime(wallIn(report.reportedAt, report.timeZone))}</Descriptions.Item>
          <Descriptions.Item label={t('report.engineer')}>{report.engineerName ?? '—'}</Descriptions.Item>
        </Descriptions>
        <Row gutter={16}>
          <Col {...half}>
            <Form.Item name="siteName" label={t('report.site')}>
              <Input maxLength={200} data-testid="report-site" />
            </Form.Item>
          </Col>
          <Col {...half}>
            <Form.Item name="contactName" label={t('report.contact')}>
              <Input maxLength={100} data-testid="report-contact" />
            </Form.Item>
          </Col>
          <Col {...half}>
            <Form.Item name="contactPhone" label={t('report.phone')}>
              <Input maxLength={50} inputMode="tel" data-testid="report-phone" />
            </Form.Item>
          </Col>
          <Col {...half}>
            <Form.Item name="startedAt" label={t('report.startedAt')} extra={report.timeZone}>
              <DatePicker showTime={{ format: 'HH:mm' }} format={[formats.dateTime, 'YYYY-MM-DD HH:mm']} style={{ width: '100%' }} data-testid="report-started" />
            </Form.Item>
          </Col>
          <Col {...half}>
            <Form.Item name="finishedAt" label={t('report.finishedAt')}>
              <DatePicker showTime={{ format: 'HH:mm' }} format={[formats.dateTime, 'YYYY-MM-DD HH:mm']} style={{ width: '100%' }} data-testid="report-finished" />
            </Form.Item>
          </Col>
        </Row>
      </Card>
      <Card size="small" style={{ marginBottom: 16 }}>
        {TEXTS.map((f) => (
          <Form.Item key={f} name={f} label={t(`report.${f}`)}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 12 }} maxLength={10000} data-testid={`report-${f}`} />
          </Form.Item>
        ))}
        <Form.Item name="result" label={t('report.result')}>
          <Radio.Group optionType="button" buttonStyle="solid" size="large" data-testid="report-result">
            {RESULTS.map((r) => (
              <Radio.Button key={r} value={r}>
                <span data-testid={`report-result-${r}`}>{t(`report.result.${r}`)}</span>
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item name="customerOpinion" label={t('report.opinion')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} data-testid="report-opinion" />
        </Form.Item>
      </Card>
      <Card size="small" title={t('report.parts')} data-testid="report-parts">
        <Form.List name="partsUsed">
          {(fields, { add, remove }) => (
            <>
              {fields.length === 0 && <Typography.Text type="secondary">{t('report.parts.none')}</Typography.Text>}
              {fields.map((field, i) => (
                <Row key={field.key} gutter={8} align="bottom" style={{ borderBottom: '1px dashed #f0f0f0', marginBottom: 8 }} data-testid="report-part">
                  <Col xs={24} md={7}>
                    <Form.Item name={[field.name, 'name']} label={t('report.part.name')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('report.part.name') }) }]}>
                      <Input maxLength={100} data-testid={`report-part-name-${i}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={6}>
                    <Form.Item name={[field.name, 'model']} label={t('report.part.model')}>
                      <Input maxLength={100} data-testid={`report-part-model-${i}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={10} md={3}>
                    <Form.Item name={[field.name, 'quantity']} label={t('report.part.quantity')} rules={[{ required: true, message: t('common.required', { field: t('report.part.quantity') }) }]}>
                      <InputNumber min={1} max={9999} precision={0} style={{ width: '100%' }} data-testid={`report-part-quantity-${i}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={14} md={6}>
                    <Form.Item name={[field.name, 'serial']} label={t('report.part.serial')}>
                      <Input maxLength={100} data-testid={`report-part-serial-${i}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={2}>
                    <Form.Item>
                      <Button danger icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label={t('report.part.remove')} data-testid={`report-part-remove-${i}`} block />
                    </Form.Item>
                  </Col>
                </Row>
              ))}
              <Button type="dashed" size="large" icon={<PlusOutlined />} onClick={() => add({ quantity: 1 })} block style={{ marginTop: 8 }} data-testid="report-part-add">
                {t('report.part.add')}
              </Button>
              <PartsFromStock ticketId={report.ticketId} listed={form.getFieldValue('partsUsed') ?? []} onAdd={(parts) => { parts.forEach((p) => add(p)); onChange(); }} />
            </>
          )}
        </Form.List>
      </Card>
    </Form>
  );
}

// ------------------------------------------------------------ reading (the customer; a signed report)

function ReportView({ report }: { report: RepairReport }) {
  const { t, fmtDateTime } = useI18n();
  const when = (iso: string | null) => (iso ? fmtDateTime(wallIn(iso, report.timeZone)) : '—');
  const text = (v: string | null) => <div style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{v?.trim() ? v : '—'}</div>;
  return (
    <div data-testid="report-view">
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label={t('report.customer')}>{report.customerName}</Descriptions.Item>
          <Descriptions.Item label={t('report.site')}>{report.siteName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('report.contact')}>{report.contactName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('report.phone')}>{report.contactPhone ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('report.reportedAt')}>{when(report.reportedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('report.engineer')}>{report.engineerName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('report.startedAt')}>{when(report.startedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('report.finishedAt')}>{when(report.finishedAt)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={1} layout="vertical">
          {TEXTS.map((f) => (
            <Descriptions.Item key={f} label={t(`report.${f}`)}>
              <span data-testid={`report-view-${f}`}>{text(report[f])}</span>
            </Descriptions.Item>
          ))}
          <Descriptions.Item label={t('report.parts')}>
            {report.partsUsed.length === 0 ? (
              t('report.parts.none')
            ) : (
              <ol style={{ margin: 0, paddingInlineStart: 20 }} data-testid="report-view-parts">
                {report.partsUsed.map((p, i) => (
                  <li key={i}>
                    {p.name}
                    {p.model ? ` · ${p.model}` : ''} × {p.quantity}
                    {p.serial ? `（${t('report.part.serial')} ${p.serial}）` : ''}
                  </li>
                ))}
              </ol>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('report.result')}>
            <span data-testid="report-view-result">{report.result ? t(`report.result.${report.result}`) : '—'}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('report.opinion')}>{text(report.customerOpinion)}</Descriptions.Item>
        </Descriptions>
      </Card>
      {report.state === 'signed' && (
        <Card size="small" title={t('report.signature')} data-testid="report-signed-info">
          {report.signaturePng ? (
            <img src={report.signaturePng} alt={t('report.signature')} style={{ maxWidth: '100%', maxHeight: 140, display: 'block' }} data-testid="report-signature-image" />
          ) : (
            <Flex gap={8} wrap align="center">
              <Typography.Text>{t('report.paperSigned')}</Typography.Text>
              {report.scan && (
                <a href={`/api/v1/tickets/${report.ticketId}/repair-report/scan`} data-testid="report-scan-link">
                  {t('report.scan')}
                </a>
              )}
            </Flex>
          )}
          <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginTop: 12 }}>
            <Descriptions.Item label={t('report.signer')}>
              <span data-testid="report-signer">{report.signerName}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('report.signedAt')}>{when(report.signedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('report.signedVia')}>{report.signedVia ? t(`report.signedVia.${report.signedVia}`) : '—'}</Descriptions.Item>
          </Descriptions>
        </Card>
      )}
    </div>
  );
}

// ------------------------------------------------------------ signing on screen (full screen)

function SignatureOverlay({ report, defaultSigner, onClose, onSigned }: { report: RepairReport; defaultSigner: string; onClose: () => void; onSigned: (r: RepairReport) => void }) {
  const { t, errorText } = useI18n();
  const pad = useRef<SignaturePadHandle>(null);
  const [strokes, setStrokes] = useState(0);
  const [signer, setSigner] = useState(defaultSigner);
  const [opinion, setOpinion] = useState(report.customerOpinion ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !busy && onClose();
    window.addEventListener('keydown', onKey);
    // The page under the pad must not scroll while a finger writes.
    const overflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => {
      window.removeEventListener('keydown', onKey);
      document.body.style.overflow = overflow;
    };
  }, [busy, onClose]);

  const submit = async () => {
    const png = pad.current?.toPng();
    if (!png) return setError(t('report.emptyPad'));
    if (!signer.trim()) return setError(t('report.signerRequired'));
    setBusy(true);
    setError(null);
    try {
      onSigned(
        await api.post<RepairReport>(`/tickets/${report.ticketId}/repair-report/sign`, {
          version: report.version,
          signerName: signer.trim(),
          signaturePng: png,
          customerOpinion: opinion.trim() || null,
        }),
      );
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      role="dialog"
      aria-modal="true"
      aria-label={t('report.signTitle')}
      data-testid="report-signature"
      style={{ position: 'fixed', inset: 0, zIndex: 1100, background: '#f5f7fa', display: 'flex', flexDirection: 'column', padding: 12, gap: 8 }}
    >
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('report.signTitle')} · {report.number}
      </Typography.Title>
      <Typography.Text type="secondary">{t('report.signNotice')}</Typography.Text>
      <Flex gap={8} wrap>
        <Input
          size="large"
          value={signer}
          onChange={(e) => setSigner(e.target.value)}
          maxLength={50}
          placeholder={t('report.signer')}
          addonBefore={t('report.signer')}
          style={{ flex: '1 1 240px' }}
          data-testid="report-signer-name"
        />
        <Input
          size="large"
          value={opinion}
          onChange={(e) => setOpinion(e.target.value)}
          maxLength={2000}
          placeholder={t('report.opinionPlaceholder')}
          style={{ flex: '2 1 280px' }}
          data-testid="report-sign-opinion"
        />
      </Flex>
      <div style={{ flex: 1, minHeight: 180, border: '2px dashed #91caff', borderRadius: 8, overflow: 'hidden', position: 'relative', background: '#fff' }}>
        <SignaturePad ref={pad} onChange={setStrokes} testid="report-signature-pad" label={t('report.signHere')} />
        {strokes === 0 && (
          <Typography.Text type="secondary" style={{ position: 'absolute', inset: 0, display: 'grid', placeItems: 'center', pointerEvents: 'none', fontSize: 20 }}>
            {t('report.signHere')}
          </Typography.Text>
        )}
      </div>
      {error && <Alert type="error" showIcon title={error} data-testid="report-signature-error" />}
      <Flex gap={8} wrap>
        <Button size="large" onClick={() => pad.current?.undo()} disabled={strokes === 0 || busy} style={{ flex: '1 1 80px' }} data-testid="report-signature-undo">
          {t('report.undo')}
        </Button>
        <Button size="large" onClick={() => pad.current?.clear()} disabled={strokes === 0 || busy} style={{ flex: '1 1 80px' }} data-testid="report-signature-clear">
          {t('report.clear')}
        </Button>
        <Button size="large" onClick={onClose} disabled={busy} style={{ flex: '1 1 80px' }} data-testid="report-signature-cancel">
          {t('common.cancel')}
        </Button>
        <Button type="primary" size="large" loading={busy} disabled={strokes === 0 || !signer.trim()} onClick={() => void submit()} style={{ flex: '2 1 160px' }} data-testid="report-signature-submit">
          {t('report.submitSign')}
        </Button>
      </Flex>
    </div>
  );
}

// ------------------------------------------------------------ signed on paper

function PaperSigningModal({ report, onClose, onSigned }: { report: RepairReport; onClose: () => void; onSigned: (r: RepairReport) => void }) {
  const { t, errorText } = useI18n();
  const [signer, setSigner] = useState(report.contactName ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    if (!signer.trim()) return setError(t('report.signerRequired'));
    if (!file) return setError(t('report.paperFileRequired'));
    const body = new FormData();
    body.append('version', String(report.version));
    body.append('signerName', signer.trim());
    body.append('file', file);
    setBusy(true);
    setError(null);
    try {
      onSigned(await api.post<RepairReport>(`/tickets/${report.ticketId}/repair-report/paper-signed`, body));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('report.paperTitle')}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('report.paperSubmit')}
      okButtonProps={{ loading: busy, size: 'large', 'data-testid': 'report-paper-submit' }}
      cancelButtonProps={{ size: 'large' }}
      data-testid="report-paper"
    >
      <Typography.Paragraph type="secondary">{t('report.paperHint')}</Typography.Paragraph>
      <Flex vertical gap={12}>
        <Input size="large" value={signer} onChange={(e) => setSigner(e.target.value)} maxLength={50} addonBefore={t('report.signer')} data-testid="report-paper-signer" />
        <input type="file" accept="application/pdf,image/jpeg,image/png" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="report-paper-file" aria-label={t('report.paperFile')} />
        {error && <Alert type="error" showIcon title={error} data-testid="report-paper-error" />}
      </Flex>
    </Modal>
  );
}

