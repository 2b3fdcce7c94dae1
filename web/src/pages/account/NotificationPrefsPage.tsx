import { useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Flex, Table, Tag, Tooltip, Typography } from 'antd';
import { SaveOutlined, UndoOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import type { NotificationPrefs, NotifyChannel } from '../../api/types';
import { useI18n } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUnsavedGuard } from '../../components/useUnsavedGuard';

const KEY = ['/notifications', 'prefs'];

type Choice = Record<string, NotifyChannel[]>;

const same = (a: NotifyChannel[] = [], b: NotifyChannel[] = []) => a.length === b.length && a.every((x) => b.includes(x));

/** /account/notifications: per event, the channels (in-app, email) the user is told through. */
export default function NotificationPrefsPage() {
  const { t, errorText } = useI18n();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const q = useQuery({ queryKey: KEY, queryFn: () => api.get<NotificationPrefs>('/notifications/prefs') });
  const saved = useMemo<Choice>(() => Object.fromEntries((q.data?.events ?? []).map((e) => [e.event, e.channels])), [q.data]);
  const [choice, setChoice] = useState<Choice>({});
  const [saving, setSaving] = useState(false);
  useEffect(() => setChoice(saved), [saved]);
  const changed = (q.data?.events ?? []).filter((e) => !same(choice[e.event], saved[e.event]));
  useUnsavedGuard(changed.length > 0);
  const channels = q.data?.channels ?? [];

  const toggle = (event: string, ch: NotifyChannel, on: boolean) =>
    setChoice((c) => {
      const cur = c[event] ?? [];
      const next = on ? [...new Set([...cur, ch])] : cur.filter((x) => x !== ch);
      return { ...c, [event]: channels.map((x) => x.code).filter((x) => next.includes(x)) };
    });
  const toggleColumn = (ch: NotifyChannel, on: boolean) => {
    for (const e of q.data?.events ?? []) toggle(e.event, ch, on);
  };

  const save = async () => {
    setSaving(true);
    try {
      const r = await api.put<NotificationPrefs>('/notifications/prefs', { events: changed.map((e) => ({ event: e.event, channels: choice[e.event] ?? [] })) });
      qc.setQueryData(KEY, r);
      message.success(t('notifyPrefs.saved'));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div data-testid="page-notification-prefs">
      <PageHeader
        title={t('notifyPrefs.title')}
        subtitle={t('notifyPrefs.subtitle')}
        extra={
          <>
            <Button icon={<UndoOutlined />} disabled={changed.length === 0 || saving} onClick={() => setChoice(saved)} data-testid="notification-prefs-reset">
              {t('common.undo')}
            </Button>
            <Button type="primary" icon={<SaveOutlined />} disabled={changed.length === 0} loading={saving} onClick={() => void save()} data-testid="notification-prefs-save">
              {t('common.save')}
            </Button>
          </>
        }
      />
      <Card>
        <ErrorAlert error={q.error} onRetry={() => q.refetch()} />
        <Table
          rowKey="event"
          data-testid="notification-prefs-table"
          loading={q.isPending}
          pagination={false}
          dataSource={q.data?.events ?? []}
          onRow={(r) => ({ 'data-testid': 'notification-prefs-row', 'data-event': r.event }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            {
              title: t('notifyPrefs.event'),
              key: 'event',
              render: (_: unknown, e) => (
                <Flex gap={8} align="center" wrap>
                  <span>{e.name}</span>
                  {e.isDefault && same(choice[e.event], saved[e.event]) && (
                    <Tooltip title={t('notifyPrefs.defaultHelp')}>
                      <Tag>{t('notifyPrefs.default')}</Tag>
                    </Tooltip>
                  )}
                  {(choice[e.event] ?? []).length === 0 && <Tag color="orange">{t('notifyPrefs.off')}</Tag>}
                  {!same(choice[e.event], saved[e.event]) && <Typography.Text type="warning">*</Typography.Text>}
                </Flex>
              ),
            },
            ...channels.map((ch) => {
              const events = q.data?.events ?? [];
              const all = events.length > 0 && events.every((e) => (choice[e.event] ?? []).includes(ch.code));
              const some = events.some((e) => (choice[e.event] ?? []).includes(ch.code));
              return {
                title: (
                  <Checkbox
                    checked={all}
                    indeterminate={some && !all}
                    onChange={(e) => toggleColumn(ch.code, e.target.checked)}
                    data-testid={`notification-prefs-all-${ch.code}`}
                  >
                    {ch.name}
                  </Checkbox>
                ),
                key: ch.code,
                width: 160,
                render: (_: unknown, e: NotificationPrefs['events'][number]) => (
                  <Checkbox
                    checked={(choice[e.event] ?? []).includes(ch.code)}
                    onChange={(x) => toggle(e.event, ch.code, x.target.checked)}
                    data-testid={`notification-pref-${e.event}-${ch.code}`}
                    aria-label={`${e.name} ${ch.name}`}
                  />
                ),
              };
            }),
          ]}
        />
      </Card>
    </div>
  );
}
