import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Flex, Popconfirm, Progress, Segmented, Space, Tag, Typography, type ButtonProps } from 'antd';
import { AuditOutlined, CheckOutlined, FileExcelOutlined, FilePdfOutlined, QrcodeOutlined } from '@ant-design/icons';
import { api, fetchAll, isApiError } from '../../api/client';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { NotFoundPage } from '../../components/StatusPages';
import { CAMPAIGNS, RESULT_COLOR, STATE_COLOR, fileUrl, resultKey, stateKey, type Campaign, type CampaignItem } from './api';
import { CheckModal, type CheckTarget } from './CheckModal';
import './assets.css';

type Filter = 'pending' | 'all' | 'differences';
const DIFFERENCES = new Set(['missing', 'wrong_location', 'wrong_attributes']);

export function useCampaign(id: number) {
  const campaign = useQuery({ queryKey: [CAMPAIGNS, id], queryFn: () => api.get<Campaign>(`${CAMPAIGNS}/${id}`) });
  const items = useQuery({ queryKey: [CAMPAIGNS, id, 'items'], queryFn: () => fetchAll<CampaignItem>(`${CAMPAIGNS}/${id}/items`, {}, 20_000) });
  return { campaign, items };
}

/**
 * A campaign on the engineer's phone: the progress bar, the items still to check first, a tap
 * for "found" and one for a difference (result, note, corrections, photo); scanning a tag's QR
 * code with the camera app opens its asset page, which offers the same check.
 */
export default function CampaignPage() {
  const id = Number(useParams().id);
  const { t, fmtDate, errorText } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const { campaign, items } = useCampaign(id);
  // Pending first while the campaign is worked; everything once it is closed or cancelled.
  const [chosen, setFilter] = useState<Filter | null>(null);
  const working0 = campaign.data?.state === 'open' || campaign.data?.state === 'review';
  const filter: Filter = chosen ?? (campaign.data && !working0 ? 'all' : 'pending');
  const [check, setCheck] = useState<{ target: CheckTarget; initial: 'missing' } | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const shown = useMemo(() => (items.data ?? []).filter((i) => (filter === 'all' ? true : filter === 'pending' ? i.result === 'pending' : DIFFERENCES.has(i.result))), [items.data, filter]);

  if (campaign.isError) return isApiError(campaign.error) && campaign.error.status === 404 ? <NotFoundPage /> : <ErrorAlert error={campaign.error} onRetry={() => campaign.refetch()} />;
  if (!campaign.data) return <Card loading />;
  const c = campaign.data;
  const working = c.state === 'open' || c.state === 'review';
  const write = can('cmdb.write') && working;
  const refresh = () => qc.invalidateQueries({ queryKey: [CAMPAIGNS] });
  const found = async (item: CampaignItem) => {
    setBusy(item.ciId);
    try {
      await api.post(`${CAMPAIGNS}/${id}/items/${item.ciId}/check`, { result: 'found' });
      await refresh();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };
  const act = async (path: 'close' | 'cancel') => {
    try {
      await api.post(`${CAMPAIGNS}/${id}/${path}`, { version: c.version });
      await refresh();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const targetOf = (i: CampaignItem): CheckTarget => ({ ciId: i.ciId, ciName: i.ciName, ciCode: i.ciCode, customerId: c.customerId, siteId: i.siteId, location: i.location });

  return (
    <div data-testid="page-campaign" className="campaign-page">
      <PageHeader
        title={c.name}
        subtitle={`${c.customerName}${c.siteName ? ` · ${c.siteName}` : ''} · ${c.period}${c.dueDate ? ` · ${t('campaigns.col.due')} ${fmtDate(c.dueDate)}` : ''}`}
        onBack={() => navigate('/asset-campaigns')}
        tags={<Tag color={STATE_COLOR[c.state]} data-testid="campaign-state">{t(stateKey(c.state))}</Tag>}
        extra={
          <Space wrap>
            <Button icon={<FilePdfOutlined />} href={fileUrl(`${CAMPAIGNS}/${id}/report.pdf`)} data-testid="campaign-pdf">
              {t('campaigns.downloadPdf')}
            </Button>
            <Button icon={<FileExcelOutlined />} href={fileUrl(`${CAMPAIGNS}/${id}/report.xlsx`)}>
              {t('campaigns.downloadXlsx')}
            </Button>
          </Space>
        }
      />
      <div className="campaign-progress">
        <Progress percent={c.total ? Math.round((c.checked / c.total) * 100) : 0} format={() => t('campaigns.progress', { checked: c.checked, total: c.total })} data-testid="campaign-progress" />
        <Flex gap={8} wrap align="center" style={{ marginTop: 4 }}>
          {c.undecided > 0 && (
            <Link to={`/asset-campaigns/${id}/review`} data-testid="campaign-review-link">
              <Button icon={<AuditOutlined />} size="large">
                {t('campaigns.undecided', { count: c.undecided })}
              </Button>
            </Link>
          )}
          {write && c.checked === c.total && c.undecided === 0 && (
            <Popconfirm title={t('campaigns.close.confirm')} onConfirm={() => act('close')} okButtonProps={{ 'data-testid': 'campaign-close-ok' } as ButtonProps}>
              <Button type="primary" size="large" icon={<CheckOutlined />} data-testid="campaign-close">
                {t('campaigns.close')}
              </Button>
            </Popconfirm>
          )}
          {write && c.state === 'open' && c.checked < c.total && (
            <Popconfirm title={t('campaigns.cancel')} onConfirm={() => act('cancel')}>
              <Button type="text" danger>
                {t('campaigns.cancel')}
              </Button>
            </Popconfirm>
          )}
        </Flex>
      </div>
      {working && <Alert type="info" showIcon icon={<QrcodeOutlined />} message={t('campaigns.scanHint')} style={{ margin: '8px 0' }} />}
      <Segmented<Filter>
        block
        size="large"
        value={filter}
        onChange={setFilter}
        style={{ margin: '8px 0 12px' }}
        data-testid="campaign-filter"
        options={[
          { value: 'pending', label: `${t('campaigns.filter.pending')} ${c.counts.pending}` },
          { value: 'all', label: `${t('campaigns.filter.all')} ${c.total}` },
          { value: 'differences', label: `${t('campaigns.filter.differences')} ${c.counts.missing + c.counts.wrong_location + c.counts.wrong_attributes}` },
        ]}
      />
      {items.isPending && <Card loading />}
      {!items.isPending && shown.length === 0 && <Empty description={filter === 'pending' ? t('campaigns.allChecked') : t('campaigns.empty')} />}
      {shown.map((i) => (
        <div key={i.id} className="campaign-item" data-testid={`campaign-item-${i.ciCode}`}>
          <Flex justify="space-between" gap={8} align="flex-start">
            <div style={{ minWidth: 0 }}>
              <Link to={`/assets/${i.ciId}`}>
                <Typography.Text strong>{i.ciName}</Typography.Text>
              </Link>
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {i.ciCode}
                  {i.assetNo ? ` · ${i.assetNo}` : ''}
                  {i.serial ? ` · SN ${i.serial}` : ''}
                </Typography.Text>
              </div>
              <div>
                <Typography.Text style={{ fontSize: 13 }}>{[i.siteName, i.location].filter(Boolean).join(' / ') || '—'}</Typography.Text>
              </div>
              {i.note && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{i.note}</Typography.Text>}
            </div>
            <Space direction="vertical" size={2} align="end">
              <Tag color={RESULT_COLOR[i.result]} data-testid={`campaign-item-result-${i.ciCode}`}>{t(resultKey(i.result))}</Tag>
              {i.decision && <Tag>{t(`campaigns.decision.${i.decision}`)}</Tag>}
            </Space>
          </Flex>
          {write && !i.decision && (
            <Flex gap={8} className="campaign-item-actions" style={{ marginTop: 10 }}>
              <Button type={i.result === 'found' ? 'primary' : 'default'} icon={<CheckOutlined />} loading={busy === i.ciId} onClick={() => found(i)} data-testid={`campaign-found-${i.ciCode}`}>
                {t('campaigns.check.found')}
              </Button>
              <Button danger={DIFFERENCES.has(i.result)} onClick={() => setCheck({ target: targetOf(i), initial: 'missing' })} data-testid={`campaign-other-${i.ciCode}`}>
                {t('campaigns.check.other')}
              </Button>
            </Flex>
          )}
        </div>
      ))}
      <CheckModal campaignId={id} target={check?.target ?? null} initial={check?.initial} onClose={() => setCheck(null)} />
    </div>
  );
}
