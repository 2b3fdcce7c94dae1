import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Button, Card, Col, Descriptions, Empty, Flex, List, Row, Segmented, Spin, Typography } from 'antd';
import { PlusOutlined, RightOutlined, ShopOutlined, TeamOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { useCan, useCurrentUser } from '../auth/session';
import { PageHeader } from '../components/PageHeader';
import { ErrorAlert } from '../components/ErrorAlert';
import { LoadMore, useKeysetList } from '../components/KeysetList';
import { TICKET_STATES, type TicketListItem } from '../api/types';
import { ProgressTag, TICKETS } from '../components/tickets/ticketShared';
import { PortalReportDrawer } from './portal/PortalReportDrawer';
import { PortalServicePanel } from './portal/PortalServicePanel';

const ACTIVE = TICKET_STATES.filter((s) => s !== 'closed' && s !== 'cancelled').join(',');

/** Customer portal home: report a problem, my customer's tickets with their progress in plain words, contact information. */
export default function PortalPage() {
  const me = useCurrentUser();
  const { t, fmtDateTime } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const [reporting, setReporting] = useState(false);
  const [show, setShow] = useState<'active' | 'all'>('active');
  // 我的工单: reported by me or with me as the contact (reporter=me); 本单位工单: every ticket of my customer (what the API gives the customer's staff).
  const [whose, setWhose] = useState<'mine' | 'ours'>('mine');
  const list = useKeysetList<TicketListItem>(TICKETS, { sort: '-reported', state: show === 'active' ? ACTIVE : undefined, reporter: whose === 'mine' ? 'me' : undefined }, { limit: 20 });
  const canReport = can('tickets.write') && me.customerId != null;
  const manage = [
    ...(me.customerId != null && can('customers.read')
      ? [{ to: `/admin/customers/${me.customerId}`, icon: <ShopOutlined />, label: t('portal.ourOrganisation'), testid: 'portal-our-customer' }]
      : []),
    ...(me.customerId != null && can('users.read')
      ? [{ to: '/admin/users', icon: <TeamOutlined />, label: t('portal.ourAccounts'), testid: 'portal-our-users' }]
      : []),
  ];
  return (
    <div data-testid="page-portal">
      <PageHeader
        title={me.customerName ? t('portal.welcome', { customer: me.customerName }) : t('portal.welcomeNoCustomer')}
        subtitle={me.displayName || me.username}
        extra={
          canReport && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setReporting(true)} data-testid="portal-report">
              {t('portal.reportProblem')}
            </Button>
          )
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} md={16}>
          <Card
            data-testid="portal-my-tickets"
            tabList={[
              { key: 'mine', label: <span data-testid="portal-tab-mine" title={t('portal.tab.mineHelp')}>{t('portal.tab.mine')}</span> },
              { key: 'ours', label: <span data-testid="portal-tab-ours" title={t('portal.tab.oursHelp', { customer: me.customerName ?? '' })}>{t('portal.tab.ours')}</span> },
            ]}
            activeTabKey={whose}
            onTabChange={(k) => setWhose(k as 'mine' | 'ours')}
            tabBarExtraContent={
              <Segmented
                size="small"
                value={show}
                onChange={(v) => setShow(v as 'active' | 'all')}
                options={[
                  { value: 'active', label: <span data-testid="portal-show-active">{t('portal.showActive')}</span> },
                  { value: 'all', label: <span data-testid="portal-show-all">{t('portal.showAll')}</span> },
                ]}
              />
            }
          >
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }} data-testid="portal-list-scope">
              {whose === 'mine' ? t('portal.tab.mineHelp') : t('portal.tab.oursHelp', { customer: me.customerName ?? '' })}
            </Typography.Paragraph>
            <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
            {list.isPending ? (
              <Flex justify="center" style={{ padding: 24 }}>
                <Spin />
              </Flex>
            ) : list.items.length === 0 ? (
              <Empty description={show === 'active' ? t('portal.emptyActive') : t('portal.emptyTicketsNow')} data-testid="portal-empty">
                {canReport && (
                  <Button type="primary" onClick={() => setReporting(true)}>
                    {t('portal.reportProblem')}
                  </Button>
                )}
              </Empty>
            ) : (
              <List
                dataSource={list.items}
                data-testid="portal-tickets"
                renderItem={(x) => (
                  <List.Item
                    onClick={() => navigate(`/portal/tickets/${x.id}`)}
                    style={{ cursor: 'pointer' }}
                    data-testid="portal-ticket-row"
                    data-ticket-id={x.id}
                    data-number={x.number}
                    extra={<RightOutlined style={{ color: '#bfbfbf' }} />}
                  >
                    <List.Item.Meta
                      title={
                        <Flex gap={8} align="center" wrap>
                          <Typography.Link>{x.title}</Typography.Link>
                          <ProgressTag state={x.state} />
                        </Flex>
                      }
                      description={
                        <span>
                          {x.number} · {t('portal.reportedBy', { name: x.contactName ?? x.callerName ?? '' })} · {fmtDateTime(x.reportedAt)}
                        </span>
                      }
                    />
                  </List.Item>
                )}
              />
            )}
            <LoadMore list={list} testid="portal-tickets" />
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <PortalServicePanel />
          <Card style={{ marginTop: 16 }} data-testid="portal-contact">
            <Descriptions
              column={1}
              size="small"
              title={t('portal.me')}
              items={[
                { key: 'name', label: t('users.displayName'), children: me.displayName },
                { key: 'username', label: t('users.username'), children: me.username },
                ...(me.customerName ? [{ key: 'customer', label: t('portal.customer'), children: me.customerName }] : []),
              ]}
            />
          </Card>
          {manage.length > 0 && (
            <Card title={t('portal.manage')} style={{ marginTop: 16 }} data-testid="portal-manage">
              <Flex vertical gap={8}>
                {manage.map((m) => (
                  <Link key={m.to} to={m.to} data-testid={m.testid}>
                    {m.icon} <span style={{ marginInlineStart: 6 }}>{m.label}</span>
                  </Link>
                ))}
              </Flex>
            </Card>
          )}
        </Col>
      </Row>
      {canReport && <PortalReportDrawer open={reporting} onClose={() => setReporting(false)} />}
    </div>
  );
}
