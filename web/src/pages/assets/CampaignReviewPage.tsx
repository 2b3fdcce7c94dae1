import { useParams, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Empty, Flex, Image, Space, Tag, Typography } from 'antd';
import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { api, isApiError } from '../../api/client';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { NotFoundPage } from '../../components/StatusPages';
import { CAMPAIGNS, RESULT_COLOR, fileUrl, resultKey, type CampaignItem } from './api';
import { useCampaign } from './CampaignPage';

const FIELD_KEYS: Record<string, string> = { siteId: 'assets.field.site', location: 'assets.field.location', serial: 'assets.field.serial', brand: 'assets.field.brand', model: 'assets.field.model', name: 'assets.field.name', responsibleName: 'assets.field.responsibleName' };

/** The differences of a campaign for the reviewer: accept (the register is updated) or reject each. */
export default function CampaignReviewPage() {
  const id = Number(useParams().id);
  const { t, errorText } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const { campaign, items } = useCampaign(id);
  if (campaign.isError) return isApiError(campaign.error) && campaign.error.status === 404 ? <NotFoundPage /> : <ErrorAlert error={campaign.error} onRetry={() => campaign.refetch()} />;
  if (!campaign.data || !items.data) return <Card loading />;
  const c = campaign.data;
  const diffs = items.data.filter((i) => i.result !== 'pending' && i.result !== 'found');
  const write = can('cmdb.write') && (c.state === 'open' || c.state === 'review');
  const decide = async (i: CampaignItem, decision: 'accepted' | 'rejected') => {
    try {
      await api.post(`${CAMPAIGNS}/${id}/items/${i.ciId}/decide`, { decision });
      await qc.invalidateQueries({ queryKey: [CAMPAIGNS] });
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const proposed = (i: CampaignItem) =>
    Object.entries(i.proposed ?? {}).map(([k, v]) => (
      <div key={k}>
        <Typography.Text type="secondary">{FIELD_KEYS[k] ? t(FIELD_KEYS[k] as never) : k}：</Typography.Text>
        {k === 'siteId' ? `#${String(v)}` : String(v)}
      </div>
    ));
  return (
    <div data-testid="page-campaign-review">
      <PageHeader title={`${t('campaigns.review')} · ${c.name}`} subtitle={t('campaigns.review.subtitle')} onBack={() => navigate(`/asset-campaigns/${id}`)} />
      {diffs.length === 0 && <Empty description={t('campaigns.review.empty')} />}
      {diffs.map((i) => (
        <Card key={i.id} size="small" style={{ marginBottom: 10 }} data-testid={`review-item-${i.ciCode}`}>
          <Flex justify="space-between" wrap gap={12}>
            <div style={{ minWidth: 0, flex: 1 }}>
              <Space wrap>
                <Typography.Text strong>{i.ciName}</Typography.Text>
                <Typography.Text type="secondary">{i.ciCode}</Typography.Text>
                <Tag color={RESULT_COLOR[i.result]}>{t(resultKey(i.result))}</Tag>
              </Space>
              <div>
                <Typography.Text type="secondary">{t('assets.field.location')}：</Typography.Text>
                {[i.siteName, i.location].filter(Boolean).join(' / ') || '—'}
              </div>
              {proposed(i)}
              {i.note && <Typography.Paragraph style={{ margin: '4px 0 0' }}>{i.note}</Typography.Paragraph>}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {i.checkedByName}
              </Typography.Text>
            </div>
            {i.hasPhoto && <Image width={96} src={fileUrl(`${CAMPAIGNS}/${id}/items/${i.ciId}/photo`)} alt="" />}
            <Flex vertical gap={8} justify="center">
              {i.decision ? (
                <Tag color={i.decision === 'accepted' ? 'green' : 'default'} data-testid={`review-decision-${i.ciCode}`}>
                  {t(`campaigns.decision.${i.decision}`)}
                </Tag>
              ) : write ? (
                <>
                  <Button type="primary" size="large" icon={<CheckOutlined />} onClick={() => decide(i, 'accepted')} data-testid={`review-accept-${i.ciCode}`}>
                    {t('campaigns.review.accept')}
                  </Button>
                  <Button size="large" icon={<CloseOutlined />} onClick={() => decide(i, 'rejected')} data-testid={`review-reject-${i.ciCode}`}>
                    {t('campaigns.review.reject')}
                  </Button>
                </>
              ) : (
                <Tag>{t('campaigns.decision.undecided')}</Tag>
              )}
            </Flex>
          </Flex>
        </Card>
      ))}
    </div>
  );
}
