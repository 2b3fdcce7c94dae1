import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { App, Avatar, Badge, Button, Dropdown, Empty, Flex, Input, Popover, Typography, type InputRef } from 'antd';
import {
  BellOutlined,
  GlobalOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  PoweroffOutlined,
  SearchOutlined,
  DownOutlined,
} from '@ant-design/icons';
import { useI18n, LOCALES } from '../i18n';
import { useCurrentUser, useLogout, useSwitchLocale } from '../auth/session';
import type { Locale } from '../api/types';

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

/** Placeholder until notifications exist: shows 0. */
export function NotificationBell() {
  const { t } = useI18n();
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      title={t('shell.notifications')}
      content={<Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('shell.noNotifications')} />}
    >
      <Button type="text" aria-label={t('shell.notifications')} data-testid="notifications-bell">
        <Badge count={0} showZero size="small" color="#bfbfbf" data-testid="notifications-count">
          <BellOutlined style={{ fontSize: 16 }} />
        </Badge>
      </Button>
    </Popover>
  );
}

/** The top-bar search. `/` anywhere (outside inputs) focuses it. */
export function GlobalSearch({ compact }: { compact?: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const ref = useRef<InputRef>(null);
  const [value, setValue] = useState('');
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement | null;
      const tag = el?.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el?.isContentEditable) return;
      e.preventDefault();
      ref.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <Input
      ref={ref}
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onPressEnter={() => value.trim() && message.info(t('shell.searchSoon', { q: value.trim() }))}
      onKeyDown={(e) => e.key === 'Escape' && ref.current?.blur()}
      prefix={<SearchOutlined />}
      suffix={!compact && <kbd className="yw-kbd">/</kbd>}
      placeholder={t('shell.search')}
      allowClear
      style={{ maxWidth: compact ? undefined : 420, width: '100%' }}
      data-testid="global-search"
      aria-label={t('common.search')}
    />
  );
}

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
