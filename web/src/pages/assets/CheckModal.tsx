import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Radio, Select, Space, Typography, Upload } from 'antd';
import { CameraOutlined } from '@ant-design/icons';
import { api, applyFieldErrors, fetchAll } from '../../api/client';
import { useI18n } from '../../i18n';
import { CAMPAIGNS, CHECK_RESULTS, resultKey, type CheckResult } from './api';

export interface CheckTarget {
  ciId: number;
  ciName: string;
  ciCode: string;
  customerId: number;
  siteId: number | null;
  location: string | null;
}

/** Records one CI's check in a campaign: the result, a note, proposed corrections and a photo (phone-sized: big choices). */
export function CheckModal({ campaignId, target, initial, onClose }: { campaignId: number; target: CheckTarget | null; initial?: CheckResult; onClose: () => void }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [photo, setPhoto] = useState<File | null>(null);
  const [saving, setSaving] = useState(false);
  const result = Form.useWatch('result', form) as CheckResult | undefined;
  const sites = useQuery({
    queryKey: ['/customers', target?.customerId, 'sites'],
    queryFn: () => fetchAll<{ id: number; name: string }>(`/customers/${target!.customerId}/sites`, {}, 500),
    enabled: !!target,
    retry: false,
  });
  useEffect(() => {
    if (target) {
      form.resetFields();
      form.setFieldsValue({ result: initial ?? 'found' });
      setPhoto(null);
    }
  }, [target, initial, form]);

  const save = async () => {
    if (!target) return;
    const v = await form.validateFields();
    const proposed = Object.fromEntries(Object.entries(v.proposed ?? {}).filter(([, x]) => x !== undefined && x !== null && x !== ''));
    setSaving(true);
    try {
      await api.post(`${CAMPAIGNS}/${campaignId}/items/${target.ciId}/check`, { result: v.result, note: v.note || null, proposed: Object.keys(proposed).length ? proposed : null });
      if (photo) {
        const fd = new FormData();
        fd.append('file', photo);
        await api.put(`${CAMPAIGNS}/${campaignId}/items/${target.ciId}/photo`, fd);
      }
      message.success(t('campaigns.check.saved'));
      await qc.invalidateQueries({ queryKey: [CAMPAIGNS] });
      await qc.invalidateQueries({ queryKey: ['/assets'] });
      onClose();
    } catch (e) {
      if (!applyFieldErrors(form, e, { 'proposed.siteId': ['proposed', 'siteId'] }).length) message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={!!target}
      title={target ? t('campaigns.check.title', { name: `${target.ciCode} ${target.ciName}` }) : ''}
      onCancel={onClose}
      destroyOnHidden
      footer={
        <Button type="primary" size="large" block loading={saving} onClick={save} data-testid="check-save">
          {t('campaigns.check.save')}
        </Button>
      }
    >
      <Form form={form} layout="vertical">
        <Form.Item name="result" label={t('campaigns.check.result')}>
          <Radio.Group optionType="button" buttonStyle="solid" size="large" style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
            {CHECK_RESULTS.map((r) => (
              <Radio.Button key={r} value={r} data-testid={`check-result-${r}`} style={{ minHeight: 44, lineHeight: '42px' }}>
                {t(resultKey(r))}
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        {(result === 'wrong_location' || result === 'wrong_attributes') && (
          <Typography.Text type="secondary">{t('campaigns.check.proposed')}</Typography.Text>
        )}
        {result === 'wrong_location' && (
          <>
            <Form.Item name={['proposed', 'siteId']} label={t('assets.field.site')}>
              <Select allowClear size="large" options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))} data-testid="check-site" />
            </Form.Item>
            <Form.Item name={['proposed', 'location']} label={t('assets.field.location')}>
              <Input size="large" placeholder={target?.location ?? ''} data-testid="check-location" />
            </Form.Item>
          </>
        )}
        {result === 'wrong_attributes' && (
          <>
            <Form.Item name={['proposed', 'serial']} label={t('assets.field.serial')}>
              <Input size="large" data-testid="check-serial" />
            </Form.Item>
            <Space.Compact block>
              <Form.Item name={['proposed', 'brand']} label={t('assets.field.brand')} style={{ flex: 1 }}>
                <Input size="large" />
              </Form.Item>
              <Form.Item name={['proposed', 'model']} label={t('assets.field.model')} style={{ flex: 1 }}>
                <Input size="large" />
              </Form.Item>
            </Space.Compact>
            <Form.Item name={['proposed', 'responsibleName']} label={t('assets.field.responsibleName')}>
              <Input size="large" />
            </Form.Item>
          </>
        )}
        <Form.Item name="note" label={t('campaigns.check.note')}>
          <Input.TextArea rows={2} data-testid="check-note" />
        </Form.Item>
        <Form.Item label={t('campaigns.check.photo')} style={{ marginBottom: 0 }}>
          <Upload
            accept="image/jpeg,image/png,image/webp"
            maxCount={1}
            beforeUpload={(f) => {
              setPhoto(f);
              return false;
            }}
            onRemove={() => setPhoto(null)}
          >
            <Button size="large" icon={<CameraOutlined />} data-testid="check-photo">
              {t('campaigns.check.photo')}
            </Button>
          </Upload>
        </Form.Item>
      </Form>
    </Modal>
  );
}
