import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { App, Avatar, Badge, Button, Dropdown, Empty, Flex, Popover, Spin, Tooltip, Typography } from 'antd';
import {
  BellOutlined,
  CheckOutlined,
  NotificationOutlined,
  SettingOutlined,
  GlobalOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  PoweroffOutlined,
  DownOutlined,
} from '@ant-design/icons';
import { useI18n, LOCALES } from '../i18n';
import { useCurrentUser, useLogout, useSwitchLocale } from '../auth/session';
import type { AppNotification, Locale } from '../api/types';
import { api, asPage, type Page } from '../api/client';

dayjs.extend(relativeTime);

const LANG_LABEL: Record<Locale, string> = { 'zh-CN': '中文', 'en-US': 'English' };

/** 中文 / English. Saved to the account when logged in, else to localStorage. */
export function LanguageSwitch({ loggedIn = true, compact }: { loggedIn?: boolean; compact?: boolean }) {
  const { locale, setLocale, t } = useI18n();
  const switchLocale = useSwitchLocale();
  const choose = (l: Locale) => (loggedIn ? switchLocale(l) : setLocale(l));
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectedKeys: [locale],
        items: LOCALES.map((l) => ({
          key: l,
          label: <span data-testid={`lang-option-${l}`}>{LANG_LABEL[l]}</span>,
        })),
        onClick: ({ key }) => choose(key as Locale),
      }}
    >
      <Button type="text" icon={<GlobalOutlined />} aria-label={t('shell.language')} data-testid="lang-switch">
        {!compact && LANG_LABEL[locale]}
      </Button>
    </Dropdown>
  );
}

/** Unread count in the top bar (every 30 s) and the ten most recent notifications in a popover. */
export function NotificationBell() {
  const { t, fmtDateTime, errorText, locale } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const count = useQuery({
    queryKey: ['/notifications', 'unread-count'],
    queryFn: () => api.get<{ count: number }>('/notifications/unread-count').then((d) => d.count ?? 0),
    refetchInterval: 30_000,
    staleTime: 10_000,
  });
  const recent = useQuery({
    queryKey: ['/notifications', 'recent', count.data ?? 0],
    queryFn: () => api.get<Page<AppNotification>>('/notifications', { limit: 10 }).then((d) => asPage(d).items),
    enabled: open,
    staleTime: 5_000,
  });
  const unread = count.data ?? 0;
  const refresh = () => qc.invalidateQueries({ queryKey: ['/notifications'] });

  const markRead = async (n: AppNotification) => {
    if (n.readAt) return;
    try {
      await api.post(`/notifications/${n.id}/read`);
    } catch (e) {
      message.error(errorText(e));
    }
    await refresh();
  };
  const markAll = async () => {
    try {
      const r = await api.post<{ updated: number }>('/notifications/read-all');
      message.success(t('bell.markedAll', { count: r?.updated ?? 0 }));
    } catch (e) {
      message.error(errorText(e));
    }
    await refresh();
  };
  const follow = (n: AppNotification) => {
    void markRead(n);
    setOpen(false);
    if (!n.link) return;
    if (n.link.startsWith('/')) navigate(n.link);
    else window.open(n.link, '_blank', 'noopener');
  };

  const items = recent.data ?? [];
  const content = (
    <div style={{ width: 360, maxWidth: 'calc(100vw - 32px)' }} data-testid="bell-panel">
      {recent.isPending ? (
        <Flex justify="center" style={{ padding: 24 }}>
          <Spin />
        </Flex>
      ) : recent.isError ? (
        <Typography.Text type="danger">{errorText(recent.error)}</Typography.Text>
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('shell.noNotifications')} data-testid="bell-empty">
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('bell.emptyHint')}
          </Typography.Text>
        </Empty>
      ) : (
        <div style={{ maxHeight: 420, overflowY: 'auto', margin: '0 -8px' }} data-testid="bell-list">
          {items.map((n) => (
            <div
              key={n.id}
              className="yw-bell-item"
              role="button"
              tabIndex={0}
              onClick={() => follow(n)}
              onKeyDown={(e) => e.key === 'Enter' && follow(n)}
              data-testid="bell-item"
              data-unread={n.readAt ? 'false' : 'true'}
            >
              <Flex gap={8} align="flex-start">
                <Badge status={n.readAt ? 'default' : 'processing'} style={{ marginTop: 6 }} />
                <div style={{ flex: 1, minWidth: 0 }}>
                  <Typography.Text strong={!n.readAt} style={{ display: 'block' }}>
                    {n.title}
                  </Typography.Text>
                  {n.body && (
                    <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ fontSize: 12, marginBottom: 0 }}>
                      {n.body}
                    </Typography.Paragraph>
                  )}
                  <Tooltip title={fmtDateTime(n.createdAt)}>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {dayjs(n.createdAt).locale(locale === 'zh-CN' ? 'zh-cn' : 'en').fromNow()}
                    </Typography.Text>
                  </Tooltip>
                </div>
                {!n.readAt && (
                  <Tooltip title={t('bell.markRead')}>
                    <Button
                      type="text"
                      size="small"
                      icon={<CheckOutlined />}
                      aria-label={t('bell.markRead')}
                      onClick={(e) => {
                        e.stopPropagation();
                        void markRead(n);
                      }}
                      data-testid="bell-item-read"
                    />
                  </Tooltip>
                )}
              </Flex>
            </div>
          ))}
        </div>
      )}
      <Flex justify="space-between" align="center" style={{ borderTop: '1px solid #f0f0f0', paddingTop: 8, marginTop: 8 }}>
        <Button
          type="link"
          size="small"
          icon={<SettingOutlined />}
          onClick={() => {
            setOpen(false);
            navigate('/account/notifications');
          }}
          data-testid="bell-settings"
        >
          {t('shell.notificationPrefs')}
        </Button>
        <Button type="link" size="small" disabled={unread === 0} onClick={() => void markAll()} data-testid="bell-mark-all">
          {t('bell.markAllRead')}
        </Button>
      </Flex>
    </div>
  );

  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) void count.refetch();
      }}
      title={
        <Flex justify="space-between" align="center">
          <span>{t('shell.notifications')}</span>
          {unread > 0 && (
            <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }} data-testid="bell-unread">
              {t('bell.unread', { count: unread })}
            </Typography.Text>
          )}
        </Flex>
      }
      content={content}
    >
      <Button type="text" aria-label={t('shell.notifications')} data-testid="notifications-bell">
        <Badge
          count={unread}
          showZero
          overflowCount={99}
          size="small"
          color={unread > 0 ? undefined : '#bfbfbf'}
          data-testid="notifications-count"
        >
          <BellOutlined style={{ fontSize: 16 }} />
        </Badge>
      </Button>
    </Popover>
  );
}

/** The top-bar search lives in GlobalSearch.tsx (full-text, grouped, keyboard navigation). */
export { GlobalSearch } from './GlobalSearch';

export function UserMenu({ compact }: { compact?: boolean }) {
  const me = useCurrentUser();
  const { t } = useI18n();
  const navigate = useNavigate();
  const logout = useLogout();
  const { modal, message } = App.useApp();
  const name = me.displayName || me.username;
  const doLogout = async (everywhere: boolean) => {
    await logout(everywhere);
    message.success(t('shell.loggedOut'));
    navigate('/login', { replace: true });
  };
  return (
    <Dropdown
      trigger={['click']}
      placement="bottomRight"
      menu={{
        items: [
          {
            key: 'who',
            type: 'group',
            label: (
              <div style={{ lineHeight: 1.4 }}>
                <Typography.Text strong>{name}</Typography.Text>
                <br />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {me.username}
                  {me.customerName ? ` · ${me.customerName}` : ''}
                </Typography.Text>
              </div>
            ),
          },
          { type: 'divider' },
          {
            key: 'password',
            icon: <LockOutlined />,
            label: <span data-testid="user-menu-password">{t('shell.changePassword')}</span>,
          },
          {
            key: 'tokens',
            icon: <KeyOutlined />,
            label: <span data-testid="user-menu-tokens">{t('shell.apiTokens')}</span>,
          },
          {
            key: 'notifications',
            icon: <NotificationOutlined />,
            label: <span data-testid="user-menu-notifications">{t('shell.notificationPrefs')}</span>,
          },
          { type: 'divider' },
          {
            key: 'logout',
            icon: <LogoutOutlined />,
            label: <span data-testid="user-menu-logout">{t('shell.logout')}</span>,
          },
          {
            key: 'logout-all',
            icon: <PoweroffOutlined />,
            danger: true,
            label: <span data-testid="user-menu-logout-all">{t('shell.logoutAll')}</span>,
          },
        ],
        onClick: ({ key }) => {
          if (key === 'password') navigate('/account/password');
          else if (key === 'tokens') navigate('/account/tokens');
          else if (key === 'notifications') navigate('/account/notifications');
          else if (key === 'logout') void doLogout(false);
          else if (key === 'logout-all')
            modal.confirm({
              title: t('shell.logoutAll'),
              content: t('shell.logoutAllConfirm'),
              okButtonProps: { danger: true, 'data-testid': 'logout-all-confirm' },
              onOk: () => doLogout(true),
            });
        },
      }}
    >
      <Button type="text" data-testid="user-menu" aria-label={t('shell.userMenu')} style={{ paddingInline: 6 }}>
        <Flex align="center" gap={6}>
          <Avatar size="small" style={{ background: '#1677ff' }}>
            {name.slice(0, 1).toUpperCase()}
          </Avatar>
          {!compact && <span style={{ maxWidth: 140, overflow: 'hidden', textOverflow: 'ellipsis' }}>{name}</span>}
          {!compact && <DownOutlined style={{ fontSize: 10 }} />}
        </Flex>
      </Button>
    </Dropdown>
  );
}
