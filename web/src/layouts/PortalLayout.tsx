import { Suspense } from 'react';
import { Link, Outlet } from 'react-router';
import { BookOutlined, DeploymentUnitOutlined } from '@ant-design/icons';
import { Flex, Layout, Spin, Typography } from 'antd';
import { useCan, useCurrentUser } from '../auth/session';
import { useI18n } from '../i18n';
import { Brand } from './AppLayout';
import { LanguageSwitch, NotificationBell, UserMenu } from './TopBar';
import { useIsMobile } from '../components/useIsMobile';
import { PortalNav } from '../pages/portal/ServiceDashboardNav';

/** The customer portal: a simple top bar with the customer's name, no admin navigation. */
export function PortalLayout() {
  const me = useCurrentUser();
  const { t } = useI18n();
  const mobile = useIsMobile();
  const can = useCan();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header className="yw-header yw-portal-header">
        <Flex align="center" gap={12} style={{ width: '100%', maxWidth: 1080, margin: '0 auto' }}>
          <Brand dark={false} collapsed={mobile} />
          <Typography.Text strong ellipsis style={{ flex: 1, minWidth: 0 }} data-testid="portal-customer-name">
            {me.customerName ?? t('portal.title')}
          </Typography.Text>
          {can('cmdb.read') && (
            <Link to="/portal/cis" data-testid="portal-cis-link" title={t('cmdb.portal.link')}>
              <DeploymentUnitOutlined /> {!mobile && t('cmdb.portal.link')}
            </Link>
          )}
          {can('knowledge.read') && (
            <Link to="/portal/knowledge" data-testid="portal-kb-link" title={t('kb.portal.link')}>
              <BookOutlined /> {!mobile && t('kb.portal.link')}
            </Link>
          )}
          <NotificationBell />
          <LanguageSwitch compact={mobile} />
          <UserMenu compact={mobile} />
        </Flex>
      </Layout.Header>
      <Layout.Content className="yw-content" style={{ maxWidth: 1080, width: '100%', margin: '0 auto' }}>
        <PortalNav />
        <Suspense fallback={<Spin />}>
          <Outlet />
        </Suspense>
      </Layout.Content>
    </Layout>
  );
}
