import { useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Modal, Popconfirm, Result, Row, Skeleton, Tag, Tooltip, Typography, Upload } from 'antd';
import { CalendarOutlined, CopyOutlined, DeleteOutlined, DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { API_BASE, api, applyFieldErrors, isApiError } from '../../api/client';
import type { Calendar, IcsImportResult } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { utcOffset } from '../../components/timezones';
import { useUnsavedGuard } from '../../components/useUnsavedGuard';
import { CALENDAR_ID_RE, useCalendarLabel } from './calendars/calendarShared';
import { CalendarEditor } from './calendars/CalendarEditor';
import { MonthView } from './calendars/MonthView';
import { DeadlineCalculator } from './calendars/DeadlineCalculator';
import { HolidayYearModal } from './calendars/HolidayYearModal';
import { useRecomputeOffer } from './calendars/RecomputeModal';

interface CopyValues {
  name: string;
  id?: string;
}

export default function CalendarDetailPage() {
  const { id = '' } = useParams();
  const { t, errorText } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const label = useCalendarLabel();
  const canWrite = can('calendars.write');
  const key = ['/calendars', 'byId', id];
  const q = useQuery({
    queryKey: key,
    queryFn: () => api.get<Calendar>(`/calendars/${encodeURIComponent(id)}`),
    retry: false,
  });
  // The document the editor was opened on: a refetch never replaces what is being typed.
  const [base, setBase] = useState<Calendar | null>(null);
  const [dirty, setDirty] = useState(false);
  const [reloads, setReloads] = useState(0);
  const [copying, setCopying] = useState(false);
  const [copyForm] = Form.useForm<CopyValues>();
  const [copyBusy, setCopyBusy] = useState(false);
  const [importing, setImporting] = useState(false);
  const [imported, setImported] = useState<{ ok: true; holidays: number; workdays: number } | { ok: false; text: string; lines: string[] } | null>(
    null,
  );
  useUnsavedGuard(dirty);
  // The year form (?year=2027 opens it: the missing-year warnings link here).
  const [sp, setSp] = useSearchParams();
  const yearParam = Number(sp.get('year'));
  const [yearForm, setYearForm] = useState<number | null>(null);
  const recompute = useRecomputeOffer();

  useEffect(() => {
    if (q.data && (!base || base.id !== q.data.id)) setBase(q.data);
  }, [q.data, base]);
  useEffect(() => {
    if (Number.isInteger(yearParam) && yearParam >= 1900 && yearParam < 2400 && canWrite) setYearForm(yearParam);
  }, [yearParam, canWrite]);
  const closeYearForm = () => {
    setYearForm(null);
    if (sp.has('year'))
      setSp(
        (prev) => {
          const n = new URLSearchParams(prev);
          n.delete('year');
          return n;
        },
        { replace: true },
      );
  };
  useEffect(() => {
    setImported(null);
  }, [id]);

  const current = base && base.id === id ? base : null;
  if (q.isPending || (q.data && !current)) return <Skeleton active />;
  if (q.isError && !current) {
    if (isApiError(q.error) && q.error.status === 404)
      return (
        <Result
          status="404"
          title={t('calendars.notFound')}
          data-testid="calendar-not-found"
          extra={<Button onClick={() => navigate('/admin/calendars')}>{t('common.back')}</Button>}
        />
      );
    return <ErrorAlert error={q.error} onRetry={() => q.refetch()} />;
  }
  const cal = current!;

  const adopt = async (c: Calendar) => {
    qc.setQueryData(key, c);
    setBase(c);
    setDirty(false);
    setReloads((n) => n + 1);
    await qc.invalidateQueries({ queryKey: ['/calendars'], predicate: (x) => x.queryKey[1] !== 'byId' });
  };

  const reload = async () => {
    const r = await q.refetch();
    if (r.data) await adopt(r.data);
  };

  const remove = async () => {
    try {
      await api.del(`/calendars/${encodeURIComponent(cal.id)}`);
      message.success(t('common.deleted'));
      setDirty(false);
      navigate('/admin/calendars', { replace: true });
      qc.removeQueries({ queryKey: key });
      await qc.invalidateQueries({ queryKey: ['/calendars'] });
    } catch (e) {
      message.error(errorText(e));
    }
  };

  const copy = async () => {
    let v: CopyValues;
    try {
      v = await copyForm.validateFields();
    } catch {
      return;
    }
    setCopyBusy(true);
    try {
      const saved = await api.post<Calendar>('/calendars', { copyFrom: cal.id, name: v.name.trim(), id: v.id?.trim() || undefined });
      message.success(t('calendars.copied'));
      setCopying(false);
      await qc.invalidateQueries({ queryKey: ['/calendars'] });
      navigate(`/admin/calendars/${encodeURIComponent(saved.id)}`);
    } catch (e) {
      const rest = applyFieldErrors(copyForm, e);
      if (!isApiError(e) || e.errors.length === 0 || rest.length) message.error(errorText(e));
    } finally {
      setCopyBusy(false);
    }
  };

  const importFile = async (file: File) => {
    setImported(null);
    if (!/\.(ics|ical|ifb|icalendar)$/i.test(file.name)) {
      setImported({ ok: false, text: t('calendars.importOnlyIcs'), lines: [] });
      return;
    }
    setImporting(true);
    try {
      const ics = await file.text();
      const r = await api.post<IcsImportResult>(`/calendars/${encodeURIComponent(cal.id)}/ics`, { ics });
      setImported({ ok: true, holidays: r.holidays, workdays: r.workdays });
      await adopt(r.calendar);
      recompute.offer({ kind: 'calendar', id: cal.id });
    } catch (e) {
      const lines = isApiError(e) ? e.errors.map((x) => x.message) : [];
      setImported({ ok: false, text: `${t('calendars.importFailed')}${t('common.colon')}${errorText(e)}`, lines });
    } finally {
      setImporting(false);
    }
  };

  return (
    <div data-testid="page-calendar-detail">
      <PageHeader
        title={label(cal)}
        subtitle={
          <span>
            <Typography.Text code>{cal.id}</Typography.Text> · {cal.timeZone} {utcOffset(cal.timeZone)}
          </span>
        }
        tags={cal.builtin && <Tag color="blue">{t('calendars.builtin')}</Tag>}
        onBack={() => navigate('/admin/calendars')}
        extra={
          <>
            {canWrite && (
              <Button
                icon={<CopyOutlined />}
                onClick={() => {
                  copyForm.setFieldsValue({ name: t('calendars.copyOf', { name: label(cal) }), id: '' });
                  setCopying(true);
                }}
                data-testid="calendars-copy"
              >
                {t('calendars.copy')}
              </Button>
            )}
            <Button icon={<DownloadOutlined />} href={`${API_BASE}/calendars/${encodeURIComponent(cal.id)}/ics`} download={`${cal.id}.ics`} data-testid="calendars-export">
              {t('calendars.export')}
            </Button>
            {canWrite && (
              <Tooltip title={dirty ? t('holidays.saveFirst') : undefined}>
                <Button
                  icon={<CalendarOutlined />}
                  disabled={dirty}
                  onClick={() => setYearForm(cal.holidayYears?.missingYear ?? new Date().getFullYear() + (new Date().getMonth() >= 10 ? 1 : 0))}
                  data-testid="calendars-years"
                >
                  {t('holidays.openForm')}
                </Button>
              </Tooltip>
            )}
            {canWrite && (
              <Tooltip title={dirty ? t('calendars.importSaveFirst') : t('calendars.importHelp')}>
                <span data-testid="calendars-import-upload">
                  <Upload
                    accept=".ics,text/calendar"
                    multiple={false}
                    showUploadList={false}
                    disabled={dirty || importing}
                    beforeUpload={(file) => {
                      void importFile(file as unknown as File);
                      return false;
                    }}
                  >
                    <Button icon={<UploadOutlined />} loading={importing} disabled={dirty} data-testid="calendars-import">
                      {t('calendars.import')}
                    </Button>
                  </Upload>
                </span>
              </Tooltip>
            )}
            {canWrite &&
              (cal.builtin ? (
                <Tooltip title={t('calendars.builtinNoDelete')}>
                  <Button danger icon={<DeleteOutlined />} disabled data-testid="calendars-delete">
                    {t('common.delete')}
                  </Button>
                </Tooltip>
              ) : (
                <Popconfirm
                  title={t('common.deleteConfirm', { name: label(cal) })}
                  onConfirm={remove}
                  okButtonProps={{ danger: true, 'data-testid': 'calendars-delete-confirm' }}
                >
                  <Button danger icon={<DeleteOutlined />} data-testid="calendars-delete">
                    {t('common.delete')}
                  </Button>
                </Popconfirm>
              ))}
          </>
        }
      />
      {imported &&
        (imported.ok ? (
          <Alert
            type="success"
            showIcon
            closable={{ onClose: () => setImported(null) }}
            style={{ marginBottom: 16 }}
            data-testid="calendars-import-result"
            title={t('calendars.imported', { holidays: imported.holidays, workdays: imported.workdays })}
          />
        ) : (
          <Alert
            type="error"
            showIcon
            closable={{ onClose: () => setImported(null) }}
            style={{ marginBottom: 16 }}
            data-testid="calendars-import-error"
            title={imported.text}
            description={
              imported.lines.length > 0 && (
                <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                  {imported.lines.map((l, i) => (
                    <li key={i}>{l}</li>
                  ))}
                </ul>
              )
            }
          />
        ))}
      {cal.holidayYears?.missingYear && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="calendar-missing-year"
          title={t('holidays.missingTitle', { year: cal.holidayYears.missingYear })}
          description={t('holidays.missingText', { name: label(cal), year: cal.holidayYears.missingYear })}
          action={
            canWrite && (
              <Button type="primary" size="small" disabled={dirty} onClick={() => setYearForm(cal.holidayYears!.missingYear)} data-testid="calendar-enter-year">
                {t('holidays.enterYear', { year: cal.holidayYears.missingYear })}
              </Button>
            )
          }
        />
      )}
      {yearForm !== null && (
        <HolidayYearModal
          calendar={cal}
          year={yearForm}
          open
          onClose={closeYearForm}
          onSaved={(c) => {
            closeYearForm();
            void adopt(c);
            recompute.offer({ kind: 'calendar', id: c.id });
          }}
        />
      )}
      {recompute.modal}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14} style={{ minWidth: 0 }}>
          <CalendarEditor
            key={`${cal.id}:${cal.version}:${reloads}`}
            calendar={cal}
            readOnly={!canWrite}
            onDirtyChange={setDirty}
            onSaved={(c) => {
              void adopt(c);
              recompute.offer({ kind: 'calendar', id: c.id });
            }}
            onReload={() => void reload()}
          />
        </Col>
        <Col xs={24} xl={10} style={{ minWidth: 0 }}>
          <Card
            size="small"
            title={t('calendars.month')}
            extra={
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('calendars.usesSaved')}
              </Typography.Text>
            }
            style={{ marginBottom: 16 }}
          >
            <MonthView calendarId={cal.id} timeZone={cal.timeZone} />
          </Card>
          <Card size="small" title={t('calendars.deadline')}>
            <DeadlineCalculator key={`${cal.id}:${cal.timeZone}`} calendarId={cal.id} timeZone={cal.timeZone} version={cal.version} />
          </Card>
        </Col>
      </Row>
      <Modal
        open={copying}
        title={t('calendars.copy')}
        onCancel={() => !copyBusy && setCopying(false)}
        onOk={() => void copy()}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        confirmLoading={copyBusy}
        okButtonProps={{ 'data-testid': 'calendars-copy-submit' }}
        cancelButtonProps={{ 'data-testid': 'calendars-copy-cancel' }}
        destroyOnHidden={false}
      >
        <Form<CopyValues> form={copyForm} layout="vertical" data-testid="calendars-copy-form" onFinish={() => void copy()}>
          <Form.Item
            name="name"
            label={t('calendars.copyName')}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('calendars.copyName') }) }]}
          >
            <Input maxLength={100} data-testid="calendars-copy-name" onPressEnter={() => void copy()} />
          </Form.Item>
          <Form.Item name="id" label={t('calendars.id')} extra={t('calendars.idHelp')} rules={[{ pattern: CALENDAR_ID_RE, message: t('calendars.idInvalid') }]}>
            <Input maxLength={40} data-testid="calendars-copy-id" onPressEnter={() => void copy()} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
