import { App, Button, Card, Col, Descriptions, Empty, Row, Typography } from 'antd';
import { CustomerServiceOutlined, PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { useCurrentUser } from '../auth/session';
import { PageHeader } from '../components/PageHeader';

/** Customer portal home: my tickets (empty until reporting exists) and contact information. */
export default function PortalPage() {
  const me = useCurrentUser();
  const { t } = useI18n();
  const { message } = App.useApp();
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
            <Descriptions column={1} size="small" title={t('portal.me')}>
              <Descriptions.Item label={t('users.displayName')}>{me.displayName}</Descriptions.Item>
              <Descriptions.Item label={t('users.username')}>{me.username}</Descriptions.Item>
              {me.customerName && (
                <Descriptions.Item label={t('portal.customer')}>{me.customerName}</Descriptions.Item>
              )}
            </Descriptions>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
