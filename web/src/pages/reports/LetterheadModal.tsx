import { useEffect, useState } from 'react';
import { App, Button, Flex, Input, Modal, Typography, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, isApiError } from '../../api/client';
import { useI18n } from '../../i18n';

interface Letterhead {
  text: string;
  hasLogo: boolean;
  logoDataUrl: string | null;
}

/** The provider's letterhead printed on every report: a line of text and a logo (reports.manage). */
export function LetterheadModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['/reporting/letterhead'], queryFn: () => api.get<Letterhead>('/reporting/letterhead'), enabled: open });
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => setText(q.data?.text ?? ''), [q.data]);

  const run = async (fn: () => Promise<Letterhead>) => {
    setBusy(true);
    try {
      qc.setQueryData(['/reporting/letterhead'], await fn());
      message.success(t('rpt.saved'));
    } catch (e) {
      message.error(isApiError(e) ? [e.message, ...e.errors.map((x) => x.message)].join('；') : String(e));
    } finally {
      setBusy(false);
    }
  };
  const upload = (file: File) => {
    const form = new FormData();
    form.append('logo', file);
    return run(() => api.put<Letterhead>('/reporting/letterhead/logo', form));
  };

  return (
    <Modal open={open} title={t('rpt.letterhead.title')} onCancel={onClose} footer={null} destroyOnHidden>
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t('rpt.letterhead.help')}</Typography.Text>
        <Input value={text} maxLength={500} onChange={(e) => setText(e.target.value)} placeholder={t('rpt.letterhead.text')} data-testid="letterhead-text" />
        <Flex justify="flex-end">
          <Button type="primary" loading={busy} onClick={() => run(() => api.put<Letterhead>('/reporting/letterhead', { letterheadText: text }))}>
            {t('rpt.save')}
          </Button>
        </Flex>
        {q.data?.logoDataUrl && <img src={q.data.logoDataUrl} alt="logo" style={{ maxHeight: 64, maxWidth: 240, objectFit: 'contain' }} />}
        <Flex gap={8}>
          <Upload accept="image/png,image/jpeg" showUploadList={false} beforeUpload={(f) => (void upload(f as unknown as File), false)}>
            <Button icon={<UploadOutlined />} loading={busy}>
              {t('rpt.letterhead.logo')}
            </Button>
          </Upload>
          {q.data?.hasLogo && (
            <Button danger onClick={() => run(() => api.del<Letterhead>('/reporting/letterhead/logo'))}>
              {t('rpt.letterhead.removeLogo')}
            </Button>
          )}
        </Flex>
      </Flex>
    </Modal>
  );
}
