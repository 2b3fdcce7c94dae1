import { useEffect } from 'react';
import { Link } from 'react-router';
import { App, Button, Card, Col, Empty, Flex, Row, Typography } from 'antd';
import { PhoneOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { useCurrentUser } from '../auth/session';
import { PageHeader } from '../components/PageHeader';
import { NAV, isGroup, navAllowed, navTestId } from '../layouts/nav';

/** Agent home "我的工作". Tickets come with the ticket module; until then a clear empty state. */
export default function WorkspacePage() {
  const me = useCurrentUser();
  const { t } = useI18n();
  const { message } = App.useApp();
  const shortcuts = NAV.flatMap((x) => (isGroup(x) ? x.items : []))
    .filter((i) => navAllowed(i, me));
  const logCall = () => message.info(t('workspace.logCallSoon'));
  // the desk's shortcut: `n` opens "log a call"
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'n' || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement | null;
      if (el && (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable)) return;
      e.preventDefault();
      logCall();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });
  return (
    <div data-testid="page-workspace">
      <PageHeader
        title={t('workspace.title')}
        subtitle={t('workspace.greeting', { name: me.displayName || me.username })}
        extra={
          <Button type="primary" icon={<PhoneOutlined />} onClick={logCall} data-testid="workspace-log-call">
            {t('workspace.logCall')}
          </Button>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Card title={t('workspace.myTickets')} data-testid="workspace-my-tickets">
            <Empty description={t('workspace.empty')} data-testid="workspace-empty">
              <Button type="primary" onClick={logCall}>
                {t('workspace.logCall')}
              </Button>
            </Empty>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Flex vertical gap={16}>
            <Card title={t('workspace.breachingSoon')} data-testid="workspace-breaching">
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('workspace.emptyBreaching')} />
            </Card>
            {shortcuts.length > 0 && (
              <Card title={t('workspace.shortcuts')}>
                <Flex vertical gap={8}>
                  {shortcuts.map((s) => (
                    <Link key={s.path} to={s.path} data-testid={`shortcut-${navTestId(s.path).slice(4)}`}>
                      <Typography.Text>
                        {s.icon} <span style={{ marginInlineStart: 6 }}>{t(s.label)}</span>
                      </Typography.Text>
                    </Link>
                  ))}
                </Flex>
              </Card>
            )}
          </Flex>
        </Col>
      </Row>
    </div>
  );
}
