import { Link } from 'react-router';
import { App, Button, Card, Col, Descriptions, Empty, Flex, Row, Typography } from 'antd';
import { CustomerServiceOutlined, PlusOutlined, ShopOutlined, TeamOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { useCan, useCurrentUser } from '../auth/session';
import { PageHeader } from '../components/PageHeader';

/** Customer portal home: my tickets (empty until reporting exists) and contact information. */
export default function PortalPage() {
  const me = useCurrentUser();
  const { t } = useI18n();
  const { message } = App.useApp();
  const can = useCan();
  const manage = [
    ...(me.customerId != null && can('customers.read')
      ? [{ to: `/admin/customers/${me.customerId}`, icon: <ShopOutlined />, label: t('portal.ourOrganisation'), testid: 'portal-our-customer' }]
      : []),
    ...(me.customerId != null && can('users.read')
      ? [{ to: '/admin/users', icon: <TeamOutlined />, label: t('portal.ourAccounts'), testid: 'portal-our-users' }]
      : []),
  ];
  const report = () => message.info(t('common.comingSoon'));
  return (
    <div data-testid="page-portal">
      <PageHeader
        title={me.customerName ? t('portal.welcome', { customer: me.customerName }) : t('portal.welcomeNoCustomer')}
        subtitle={me.displayName || me.username}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={report} data-testid="portal-report">
            {t('portal.reportProblem')}
          </Button>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} md={16}>
          <Card title={t('portal.myTickets')} data-testid="portal-my-tickets">
            <Empty description={t('portal.emptyTickets')} data-testid="portal-empty" />
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card
            title={
              <span>
                <CustomerServiceOutlined /> {t('portal.contactInfo')}
              </span>
            }
            data-testid="portal-contact"
          >
            <Typography.Paragraph>{t('portal.contactDesk')}</Typography.Paragraph>
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
    </div>
  );
}
