import { Link } from 'react-router';
import { List, Skeleton, Typography } from 'antd';
import { PageHeader } from '../../components/PageHeader';
import { useReportList } from '../../api/reports';
import { useI18n } from '../../i18n';
import { StateTag } from '../reports/reportsShared';

/** The portal's service reports: what the provider issued to this customer, to read and sign off. */
export default function PortalReportsPage() {
  const { t, fmtDate } = useI18n();
  const list = useReportList();
  return (
    <>
      <PageHeader title={t('rpt.portal.title')} subtitle={t('rpt.portal.subtitle')} />
      {list.isPending ? (
        <Skeleton active />
      ) : (
        <List
          bordered
          locale={{ emptyText: t('rpt.portal.empty') }}
          dataSource={list.data?.items ?? []}
          renderItem={(r) => (
            <List.Item data-testid="portal-report" data-number={r.number} extra={<StateTag state={r.state} />}>
              <List.Item.Meta
                title={<Link to={`/portal/reports/${r.id}`}>{r.title}</Link>}
                description={
                  <Typography.Text type="secondary">
                    {r.number}
                    {r.issuedAt ? ` · ${t('rpt.meta.issuedAt')} ${fmtDate(r.issuedAt)}` : ''}
                  </Typography.Text>
                }
              />
            </List.Item>
          )}
        />
      )}
    </>
  );
}
