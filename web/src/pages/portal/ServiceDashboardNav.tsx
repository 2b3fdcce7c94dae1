import { Link, useLocation } from 'react-router';
import { Menu } from 'antd';
import { FileTextOutlined, LineChartOutlined, SolutionOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';

/**
 * The portal's two destinations, 工单 and 服务概况, under its top bar; shown only to a customer's
 * staff who may read the service figures (reports.read) — for everyone else there is one place.
 */
export function PortalNav() {
  const { t } = useI18n();
  const can = useCan();
  const { pathname } = useLocation();
  if (!can('portal.use') || !can('reports.read')) return null;
  // 工单 is the portal's home and its tickets; the knowledge base and the CIs (top-bar links) are neither destination.
  const selected = pathname.startsWith('/portal/dashboard')
    ? '/portal/dashboard'
    : pathname.startsWith('/portal/reports')
      ? '/portal/reports'
      : pathname === '/portal' || pathname === '/portal/' || pathname.startsWith('/portal/tickets')
        ? '/portal'
        : '';
  return (
    <Menu
      mode="horizontal"
      selectedKeys={[selected]}
      style={{ marginBottom: 16, background: 'transparent' }}
      data-testid="portal-nav"
      items={[
        {
          key: '/portal',
          icon: <FileTextOutlined />,
          label: (
            <Link to="/portal" data-testid="portal-nav-tickets">
              {t('nav.portalTickets')}
            </Link>
          ),
        },
        {
          key: '/portal/reports',
          icon: <SolutionOutlined />,
          label: (
            <Link to="/portal/reports" data-testid="portal-nav-reports">
              {t('nav.portalReports')}
            </Link>
          ),
        },
        {
          key: '/portal/dashboard',
          icon: <LineChartOutlined />,
          label: (
            <Link to="/portal/dashboard" data-testid="portal-nav-dashboard">
              {t('nav.portalDashboard')}
            </Link>
          ),
        },
      ]}
    />
  );
}
