import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Drawer, Flex, Form, Input, Radio, Segmented, Select, Typography, Upload, type UploadFile } from 'antd';
import { PaperClipOutlined } from '@ant-design/icons';
import { api, applyFieldErrors, fetchAll, isApiError } from '../../api/client';
import type { Id, Site, Ticket, TicketKind } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCurrentUser } from '../../auth/session';
import { useIsMobile } from '../../components/useIsMobile';
import { MAX_ATTACHMENT_BYTES, uploadAttachment } from '../../components/tickets/ReplyBox';
import { TICKETS } from '../../components/tickets/ticketShared';
import { KnowledgeDeflect } from './KnowledgeDeflect';

interface ReportValues {
  kind: TicketKind;
  what: string;
  siteId?: Id | null;
  location?: string;
  urgency: string;
}

const URGENCIES = ['high', 'medium', 'low'] as const;
const TITLE_LEN = 60;

/** The title is the first line of what the customer wrote (cut at 60 characters). */
export function titleFrom(text: string): string {
  const first = text.trim().split(/\r?\n/)[0].trim();
  return first.length > TITLE_LEN ? `${first.slice(0, TITLE_LEN - 1)}…` : first;
}

/**
 * 报告问题: three questions — what is wrong, where, how urgent — and files. The first line of
 * "what" becomes the title; impact stays at its default. On success the new ticket opens.
 * The report is in the name of the contact the user's account is linked to (me.contactId);
 * "where" picks one of the customer's sites (GET /portal/sites), or is free text if it has none.
 */
export function PortalReportDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, errorText } = useI18n();
  const { message, modal } = App.useApp();
  const me = useCurrentUser();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const mobile = useIsMobile();
  const [form] = Form.useForm<ReportValues>();
  // What the customer is typing: matching articles are offered before he reports (knowledge deflection).
  const what = Form.useWatch('what', form) as string | undefined;
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const sites = useQuery({
    queryKey: ['/portal/sites', me.customerId],
    queryFn: () => fetchAll<Site>('/portal/sites'),
    enabled: open && me.customerId != null,
    staleTime: 5 * 60_000,
  });
  const sitePicker = !sites.isSuccess || sites.data.length > 0;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setFiles([]);
    setProblem(null);
  }, [open, form]);

  const submit = async (v: ReportValues) => {
    if (me.contactId == null) return;
    setBusy(true);
    setProblem(null);
    try {
      const place = v.location?.trim();
      const created = await api.post<Ticket>('/tickets', {
        customerId: me.customerId,
        contactId: me.contactId,
        kind: v.kind,
        title: titleFrom(v.what),
        description: place ? `${v.what}\n\n${t('portal.report.placeLine', { place })}` : v.what,
        impact: 'medium',
        urgency: v.urgency,
        reportedAt: new Date().toISOString(),
        siteId: v.siteId ?? null,
      });
      for (const f of files) {
        try {
          await uploadAttachment(created.id, f.originFileObj as File, 'public');
        } catch (e) {
          message.error(t('tickets.reply.uploadFailed', { name: f.name, message: errorText(e) }));
        }
      }
      void qc.invalidateQueries({ queryKey: [TICKETS] });
      message.success(t('portal.report.done', { number: created.number }));
      onClose();
      navigate(`/portal/tickets/${created.id}`, { state: { created: created.number } });
    } catch (e) {
      const unmatched = applyFieldErrors(form, e, { title: 'what', description: 'what', impact: 'urgency' });
      setProblem(isApiError(e) && e.errors.length > unmatched.length ? `${errorText(e)} ${t('common.unsavedHint')}` : errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const tryClose = () => {
    if (busy) return;
    if (form.isFieldsTouched() || files.length) {
      modal.confirm({
        title: t('common.discardTitle'),
        content: t('common.discardText'),
        okText: t('common.discard'),
        cancelText: t('common.keepEditing'),
        okButtonProps: { danger: true, 'data-testid': 'discard-confirm' },
        onOk: onClose,
      });
    } else onClose();
  };

  const noContact = me.contactId == null;

  return (
    <Drawer
      open={open}
      title={t('portal.reportProblem')}
      onClose={tryClose}
      size={mobile ? '100%' : 560}
      maskClosable={false}
      data-testid="portal-report-drawer"
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={tryClose} data-testid="portal-report-form-cancel">
            {t('common.cancel')}
          </Button>
          <Button type="primary" loading={busy} disabled={noContact} onClick={() => form.submit()} data-testid="portal-report-form-submit">
            {t('portal.report.submit')}
          </Button>
        </Flex>
      }
    >
      {noContact && <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('portal.report.noContact')} data-testid="portal-report-no-contact" />}
      {problem && <Alert type="error" showIcon style={{ marginBottom: 16 }} title={problem} data-testid="portal-report-form-error" />}
      <Form<ReportValues>
        form={form}
        layout="vertical"
        initialValues={{ kind: 'incident', urgency: 'medium', siteId: null }}
        onFinish={submit}
        data-testid="portal-report-form"
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            form.submit();
          }
        }}
      >
        <Form.Item name="kind" style={{ marginBottom: 12 }}>
          <Segmented
            options={[
              { value: 'incident', label: <span data-testid="portal-report-kind-incident">{t('portal.report.kindIncident')}</span> },
              { value: 'request', label: <span data-testid="portal-report-kind-request">{t('portal.report.kindRequest')}</span> },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="what"
          label={t('portal.report.what')}
          extra={t('portal.report.whatHelp')}
          rules={[{ required: true, whitespace: true, message: t('portal.report.whatRequired') }]}
        >
          <Input.TextArea autoFocus autoSize={{ minRows: 4, maxRows: 12 }} maxLength={20000} placeholder={t('portal.report.whatPlaceholder')} data-testid="portal-report-what" />
        </Form.Item>
        {me.customerId != null && <KnowledgeDeflect text={what ?? ''} onSolved={() => setTimeout(onClose, 1200)} />}
        {sitePicker ? (
          <Form.Item name="siteId" label={t('portal.report.where')}>
            <Select
              allowClear
              loading={sites.isFetching}
              placeholder={t('portal.report.wherePlaceholder')}
              options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              showSearch={{ optionFilterProp: 'label' }}
              data-testid="portal-report-site"
            />
          </Form.Item>
        ) : (
          <Form.Item name="location" label={t('portal.report.where')}>
            <Input maxLength={200} placeholder={t('portal.report.locationPlaceholder')} data-testid="portal-report-location" />
          </Form.Item>
        )}
        <Form.Item name="urgency" label={t('portal.report.urgency')}>
          <Radio.Group>
            <Flex vertical gap={6}>
              {URGENCIES.map((u) => (
                <Radio key={u} value={u}>
                  <span data-testid={`portal-report-urgency-${u}`}>{t(`portal.report.urgency.${u}`)}</span>
                </Radio>
              ))}
            </Flex>
          </Radio.Group>
        </Form.Item>
        <Form.Item label={t('tickets.attachments')}>
          <div data-testid="portal-report-attachments">
            <Upload
              multiple
              fileList={files}
              beforeUpload={(f) => {
                if (f.size > MAX_ATTACHMENT_BYTES) {
                  message.error(t('tickets.reply.tooLarge', { name: f.name }));
                  return Upload.LIST_IGNORE;
                }
                return false;
              }}
              onChange={({ fileList }) => setFiles(fileList)}
            >
              <Button icon={<PaperClipOutlined />}>{t('portal.report.attach')}</Button>
            </Upload>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('portal.report.attachHelp')}
            </Typography.Text>
          </div>
        </Form.Item>
      </Form>
    </Drawer>
  );
}
