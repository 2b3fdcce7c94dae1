import { Suspense, useEffect, useMemo, useState } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { Button, Drawer, Flex, Layout, Menu, Spin, type MenuProps } from 'antd';
import { MenuFoldOutlined, MenuUnfoldOutlined, MenuOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { useCurrentUser } from '../auth/session';
import { NAV, flatNav, isGroup, navAllowed, navTestId } from './nav';
import { GlobalSearch, LanguageSwitch, NotificationBell, UserMenu } from './TopBar';
import { useIsMobile } from '../components/useIsMobile';
import { HolidayYearBanner } from '../pages/admin/calendars/HolidayYearAlerts';

const { Header, Sider, Content } = Layout;
const COLLAPSE_KEY = 'yw_nav_collapsed';

export function Brand({ collapsed, dark = true }: { collapsed?: boolean; dark?: boolean }) {
  const { t } = useI18n();
  return (
    <Link
      to="/"
      className="yw-brand"
      style={{ color: dark ? '#fff' : 'inherit', justifyContent: collapsed ? 'center' : 'flex-start' }}
      data-testid="brand"
    >
      <span className="yw-brand-mark">运</span>
      {!collapsed && <span className="yw-brand-text">{t('app.fullName')}</span>}
    </Link>
  );
}

function useMenu(onNavigate?: () => void) {
  const me = useCurrentUser();
  const { t } = useI18n();
  const location = useLocation();

  const items = useMemo<MenuProps['items']>(() => {
    const out: NonNullable<MenuProps['items']> = [];
    for (const entry of NAV) {
      if (isGroup(entry)) {
        const children = entry.items.filter((i) => navAllowed(i, me));
        if (children.length === 0) continue;
        out.push({
          type: 'group',
          key: entry.label,
          label: t(entry.label),
          children: children.map((i) => ({
            key: i.path,
            icon: i.icon,
            label: (
              <Link to={i.path} onClick={onNavigate} data-testid={navTestId(i.path)}>
                {t(i.label)}
              </Link>
            ),
          })),
        });
      } else if (navAllowed(entry, me)) {
        out.push({
          key: entry.path,
          icon: entry.icon,
          label: (
            <Link to={entry.path} onClick={onNavigate} data-testid={navTestId(entry.path)}>
              {t(entry.label)}
            </Link>
          ),
        });
      }
    }
    return out;
  }, [me, t, onNavigate]);

  const selected = useMemo(() => {
    const match = flatNav()
      .filter((i) => location.pathname === i.path || location.pathname.startsWith(i.path + '/'))
      .sort((a, b) => b.path.length - a.path.length)[0];
    return match ? [match.path] : [];
  }, [location.pathname]);

  return { items, selected };
}

function NavMenu({ onNavigate, collapsed }: { onNavigate?: () => void; collapsed?: boolean }) {
  const { items, selected } = useMenu(onNavigate);
  return (
    <Menu
      theme="dark"
      mode="inline"
      items={items}
      selectedKeys={selected}
      inlineCollapsed={collapsed}
      style={{ borderInlineEnd: 0 }}
      data-testid="nav"
    />
  );
}

/** Agent workspace and administration: left navigation + top bar. Under 768 px the navigation is a drawer. */
export function AppLayout() {
  const { t } = useI18n();
  const mobile = useIsMobile();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(() => localStorage.getItem(COLLAPSE_KEY) === '1');
  const [drawer, setDrawer] = useState(false);

  useEffect(() => setDrawer(false), [location.pathname]);
  const toggle = () => {
    if (mobile) setDrawer(true);
    else
      setCollapsed((c) => {
        localStorage.setItem(COLLAPSE_KEY, c ? '0' : '1');
        return !c;
      });
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!mobile && (
        <Sider
          collapsible
          collapsed={collapsed}
          trigger={null}
          width={224}
          collapsedWidth={64}
          style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}
          data-testid="sider"
        >
          <Brand collapsed={collapsed} />
          <NavMenu collapsed={collapsed} />
        </Sider>
      )}
      {mobile && (
        <Drawer
          open={drawer}
          placement="left"
          onClose={() => setDrawer(false)}
          size={260}
          closable={false}
          styles={{ body: { padding: 0, background: '#001529' } }}
          data-testid="nav-drawer"
        >
          <Brand />
          <NavMenu onNavigate={() => setDrawer(false)} />
        </Drawer>
      )}
      <Layout>
        <Header className="yw-header">
          <Flex align="center" gap={mobile ? 4 : 12} style={{ width: '100%' }}>
            <Button
              type="text"
              icon={mobile ? <MenuOutlined /> : collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
              onClick={toggle}
              aria-label={mobile ? t('shell.menu') : collapsed ? t('shell.expand') : t('shell.collapse')}
              data-testid="nav-toggle"
            />
            <div style={{ flex: 1, minWidth: 0 }}>
              <GlobalSearch compact={mobile} />
            </div>
            <NotificationBell />
            <LanguageSwitch compact={mobile} />
            <UserMenu compact={mobile} />
          </Flex>
        </Header>
        <Content className="yw-content" data-testid="content">
          <HolidayYearBanner />
          <Suspense
            fallback={
              <div style={{ display: 'grid', placeItems: 'center', minHeight: 240 }}>
                <Spin />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}
