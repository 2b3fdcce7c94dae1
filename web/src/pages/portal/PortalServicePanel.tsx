import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Flex, List, Skeleton, Typography } from 'antd';
import { ClockCircleOutlined, CustomerServiceOutlined, MailOutlined, PhoneOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import type { PortalInfo } from '../../api/deskTypes';
import { useI18n } from '../../i18n';
import { ErrorAlert } from '../../components/ErrorAlert';

/**
 * "服务信息": how to reach the service desk (hotline, hours, the customer's service mailbox) and
 * what the contract in force promises, in plain words (REQ #5, #6), from GET /portal/info.
 */
export function PortalServicePanel() {
  const { t, fmtDate } = useI18n();
  const info = useQuery({ queryKey: ['/portal/info'], queryFn: () => api.get<PortalInfo>('/portal/info'), staleTime: 5 * 60_000 });
  const d = info.data;
  const notSet = <Typography.Text type="secondary">{t('portal.service.notSet')}</Typography.Text>;
  return (
    <Card
      title={
        <span>
          <CustomerServiceOutlined /> {t('portal.service.title')}
        </span>
      }
      data-testid="portal-service"
    >
      <ErrorAlert error={info.error} onRetry={() => info.refetch()} />
      {info.isPending ? (
        <Skeleton active />
      ) : d ? (
        <Flex vertical gap={12}>
          <Typography.Paragraph style={{ marginBottom: 0 }}>{t('portal.contactDesk')}</Typography.Paragraph>
          <Descriptions
            column={1}
            size="small"
            items={[
              {
                key: 'hotline',
                label: (
                  <span>
                    <PhoneOutlined /> {t('portal.service.hotline')}
                  </span>
                ),
                children: d.desk.hotline ? (
                  <a href={`tel:${d.desk.hotline.replace(/[^\d+]/g, '')}`} style={{ fontSize: 16, fontWeight: 600 }} data-testid="portal-hotline">
                    {d.desk.hotline}
                  </a>
                ) : (
                  notSet
                ),
              },
              {
                key: 'hours',
                label: (
                  <span>
                    <ClockCircleOutlined /> {t('portal.service.deskHours')}
                  </span>
                ),
                children: d.desk.hours ? <span data-testid="portal-desk-hours">{d.desk.hours}</span> : notSet,
              },
              ...d.mailboxes.map((m, i) => ({
                key: `mail${i}`,
                label: (
                  <span>
                    <MailOutlined /> {t('portal.service.mailbox')}
                  </span>
                ),
                children: (
                  <span>
                    <a href={`mailto:${m.address}`} data-testid="portal-mailbox">
                      {m.address}
                    </a>
                    {i === 0 && (
                      <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                        {t('portal.service.mailboxHelp')}
                      </Typography.Text>
                    )}
                  </span>
                ),
              })),
            ]}
          />
          {d.contract ? (
            <div data-testid="portal-contract">
              <Typography.Text strong>{d.contract.name}</Typography.Text>
              <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                {t('portal.service.validUntil', { date: fmtDate(d.contract.endsOn) })}
              </Typography.Text>
              <Descriptions
                column={1}
                size="small"
                style={{ marginTop: 8 }}
                items={[
                  {
                    key: 'hours',
                    label: t('portal.service.serviceHours'),
                    children: <span data-testid="portal-service-hours">{d.contract.calendarName ?? d.contract.serviceHours}</span>,
                  },
                ]}
              />
              <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>
                {t('portal.service.commitments')}
              </Typography.Text>
              {d.contract.commitments.length ? (
                <>
                  <List
                    size="small"
                    split={false}
                    dataSource={d.contract.commitments}
                    renderItem={(c) => (
                      <List.Item style={{ paddingInline: 0, paddingBlock: 2 }} data-testid="portal-commitment" data-priority={c.priority}>
                        {c.text}
                      </List.Item>
                    )}
                  />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('portal.service.commitmentsHelp')}
                  </Typography.Text>
                </>
              ) : (
                <Typography.Text type="secondary">{t('portal.service.noSla')}</Typography.Text>
              )}
            </div>
          ) : (
            <Typography.Text type="secondary" data-testid="portal-no-contract">
              {t('portal.service.noContract')}
            </Typography.Text>
          )}
        </Flex>
      ) : null}
    </Card>
  );
}
