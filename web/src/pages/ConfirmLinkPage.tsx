import { useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Input, Modal, Rate, Result, Segmented, Spin, Typography } from 'antd';
import { CheckCircleOutlined, CloseCircleOutlined } from '@ant-design/icons';
import { api, isApiError } from '../api/client';
import { useI18n, type MessageKey } from '../i18n';
import { LanguageSwitch } from '../layouts/TopBar';

/** What `GET /public/confirm/{token}` shows: that one ticket, nothing else. */
interface ConfirmView {
  number: string;
  title: string;
  resolution: string | null;
  resolvedAt: string;
  contactName: string;
  expiresAt: string;
  canRate: boolean;
  autoCloseWorkdays: number;
}

interface ConfirmResult {
  decision: 'confirm' | 'reject';
  number: string;
  state: string;
  rated: boolean;
  suggestComplaint: boolean;
  complaintNumber: string | null;
}

/** antd's button props do not declare data attributes; they are passed through. */
const testId = (id: string) => ({ 'data-testid': id }) as Record<string, string>;

const ERROR_TITLES: Record<string, MessageKey> = {
  link_invalid: 'confirmLink.error.invalid',
  link_expired: 'confirmLink.error.expired',
  link_used: 'confirmLink.error.used',
  link_stale: 'confirmLink.error.stale',
  rate_limited: 'confirmLink.error.busy',
};

/**
 * `/c/<token>`: the page a confirmation link in a resolution mail opens, without login and
 * outside the app's shells (mobile first). The ticket's contact confirms the resolution (with an
 * optional 1–5 rating; 1 or 2 asks whether to lodge a complaint, as the portal does) or says it
 * is not solved, with a reason. `?d=reject` opens on the second choice. A link that cannot be
 * used shows why (invalid, expired, used, the ticket moved on) in the reader's language.
 */
export default function ConfirmLinkPage() {
  const { token = '' } = useParams();
  const [sp] = useSearchParams();
  const { t, locale, errorText, fmtDateTime } = useI18n();
  const [choice, setChoice] = useState<'confirm' | 'reject'>(sp.get('d') === 'reject' ? 'reject' : 'confirm');
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [complaint, setComplaint] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [result, setResult] = useState<ConfirmResult | null>(null);

  // The language is part of the key: a switch fetches the texts (and any refusal) again in it.
  const view = useQuery({
    queryKey: ['confirm-link', token, locale],
    queryFn: () => api.get<ConfirmView>(`/public/confirm/${encodeURIComponent(token)}`, undefined, { noAuthRedirect: true }),
    enabled: result === null,
    retry: false,
    staleTime: Infinity,
  });

  const submit = async (body: Record<string, unknown>) => {
    setBusy(true);
    setSubmitError(null);
    setReasonError(null);
    try {
      setResult(await api.post<ConfirmResult>(`/public/confirm/${encodeURIComponent(token)}`, body, { noAuthRedirect: true }));
      setComplaint(null);
    } catch (e) {
      const field = isApiError(e) ? e.errors.find((f) => f.field === 'reason') : undefined;
      if (field) setReasonError(field.message);
      else setSubmitError(e);
    } finally {
      setBusy(false);
    }
  };

  const confirmBody = (withComplaint: string | null) => ({
    decision: 'confirm',
    rating: score > 0 ? score : null,
    comment: score > 0 && comment.trim() ? comment : null,
    complaint: withComplaint?.trim() ? withComplaint : null,
  });

  const onConfirm = () => {
    // A poor rating: ask first whether to complain, as the portal does.
    if (score > 0 && score <= 2) setComplaint('');
    else void submit(confirmBody(null));
  };

  const onReject = () => {
    if (!reason.trim()) {
      setReasonError(t('confirmLink.reasonRequired'));
      return;
    }
    void submit({ decision: 'reject', reason });
  };

  let body;
  if (result) {
    body = (
      <Result
        status="success"
        data-testid="confirm-done"
        data-decision={result.decision}
        title={result.decision === 'confirm' ? t('confirmLink.done.confirmed', { number: result.number }) : t('confirmLink.done.rejected', { number: result.number })}
        subTitle={
          <Flex vertical gap={4}>
            {result.rated && <span>{t('portal.rating.saved')}</span>}
            {result.complaintNumber && <span data-testid="confirm-complaint-number">{t('portal.complaint.doneNumber', { number: result.complaintNumber })}</span>}
            {result.decision === 'confirm' && <span>{t('confirmLink.done.confirmedHelp')}</span>}
          </Flex>
        }
      />
    );
  } else if (view.isPending) {
    body = (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  } else if (view.isError) {
    const code = isApiError(view.error) ? view.error.code ?? '' : '';
    body = (
      <Result
        status={code === 'link_stale' || code === 'link_used' ? 'info' : 'warning'}
        data-testid="confirm-error"
        data-code={code}
        title={t(ERROR_TITLES[code] ?? 'confirmLink.error.other')}
        subTitle={<span data-testid="confirm-error-text">{errorText(view.error)}</span>}
      />
    );
  } else {
    const v = view.data;
    body = (
      <Flex vertical gap={16}>
        <Typography.Text>{t('confirmLink.greeting', { name: v.contactName })}</Typography.Text>
        <div>
          <Typography.Text type="secondary" data-testid="confirm-number">
            {v.number}
          </Typography.Text>
          <Typography.Title level={4} style={{ margin: '4px 0 0' }} data-testid="confirm-title">
            {v.title}
          </Typography.Title>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('confirmLink.resolvedAt', { at: fmtDateTime(v.resolvedAt) })}
          </Typography.Text>
        </div>
        {v.resolution && (
          <Card size="small" title={t('confirmLink.resolution')}>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} data-testid="confirm-resolution">
              {v.resolution}
            </Typography.Paragraph>
          </Card>
        )}
        <Typography.Text strong>{t('confirmLink.question')}</Typography.Text>
        <Segmented
          block
          size="large"
          value={choice}
          onChange={(c) => setChoice(c as 'confirm' | 'reject')}
          options={[
            { value: 'confirm', label: <span data-testid="confirm-choice-confirm">{t('confirmLink.solved')}</span>, icon: <CheckCircleOutlined /> },
            { value: 'reject', label: <span data-testid="confirm-choice-reject">{t('confirmLink.notSolved')}</span>, icon: <CloseCircleOutlined /> },
          ]}
        />
        {submitError !== null && <Alert type="error" showIcon message={errorText(submitError)} data-testid="confirm-submit-error" />}
        {choice === 'confirm' ? (
          <Flex vertical gap={8}>
            {v.canRate && (
              <>
                <Typography.Text>{t('confirmLink.rateOptional')}</Typography.Text>
                <Flex align="center" gap={8} wrap>
                  <span data-testid="confirm-rating">
                    <Rate value={score} onChange={setScore} style={{ fontSize: 28 }} />
                  </span>
                  {score > 0 && <Typography.Text type="secondary">{t(`portal.rating.score.${score}` as MessageKey)}</Typography.Text>}
                </Flex>
                {score > 0 && (
                  <Input.TextArea
                    autoSize={{ minRows: 2, maxRows: 6 }}
                    value={comment}
                    onChange={(e) => setComment(e.target.value)}
                    placeholder={t('portal.rating.commentPlaceholder')}
                    maxLength={2000}
                    data-testid="confirm-comment"
                  />
                )}
              </>
            )}
            <Button type="primary" size="large" block loading={busy} onClick={onConfirm} data-testid="confirm-submit">
              {t('confirmLink.confirmSubmit')}
            </Button>
          </Flex>
        ) : (
          <Flex vertical gap={8}>
            <Typography.Text>{t('portal.rejectHelp')}</Typography.Text>
            <Input.TextArea
              autoSize={{ minRows: 3, maxRows: 8 }}
              value={reason}
              status={reasonError ? 'error' : undefined}
              onChange={(e) => {
                setReason(e.target.value);
                setReasonError(null);
              }}
              maxLength={2000}
              data-testid="confirm-reason"
            />
            {reasonError && (
              <Typography.Text type="danger" data-testid="confirm-reason-error">
                {reasonError}
              </Typography.Text>
            )}
            <Button danger type="primary" size="large" block loading={busy} onClick={onReject} data-testid="reject-submit">
              {t('portal.rejectSubmit')}
            </Button>
          </Flex>
        )}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('confirmLink.validity', { at: fmtDateTime(v.expiresAt) })}
          {v.autoCloseWorkdays > 0 && ` ${t('confirmLink.autoClose', { days: v.autoCloseWorkdays })}`}
        </Typography.Text>
        <Modal
          open={complaint !== null}
          title={t('portal.complaint.ask')}
          onOk={() => void submit(confirmBody(complaint))}
          onCancel={() => void submit(confirmBody(null))}
          okText={t('portal.complaint.submit')}
          cancelText={t('portal.complaint.no')}
          okButtonProps={{ disabled: !complaint?.trim(), loading: busy, ...testId('confirm-complaint-submit') }}
          cancelButtonProps={{ disabled: busy, ...testId('confirm-complaint-no') }}
          closable={false}
          maskClosable={false}
          keyboard={false}
          data-testid="confirm-complaint-modal"
        >
          <Typography.Paragraph type="secondary">{t('portal.complaint.help')}</Typography.Paragraph>
          <Input.TextArea autoFocus autoSize={{ minRows: 3, maxRows: 8 }} value={complaint ?? ''} onChange={(e) => setComplaint(e.target.value)} data-testid="confirm-complaint-text" />
        </Modal>
      </Flex>
    );
  }

  return (
    <div className="yw-confirm" data-testid="confirm-page" style={{ minHeight: '100vh', background: '#f5f5f5', padding: '16px 12px' }}>
      <div style={{ maxWidth: 560, margin: '0 auto' }}>
        <Flex justify="space-between" align="center" style={{ marginBottom: 12 }}>
          <Typography.Text strong style={{ fontSize: 16 }}>
            {t('app.fullName')}
            <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontWeight: 'normal' }}>
              {t('confirmLink.heading')}
            </Typography.Text>
          </Typography.Text>
          <LanguageSwitch loggedIn={false} compact />
        </Flex>
        <Card>{body}</Card>
      </div>
    </div>
  );
}
