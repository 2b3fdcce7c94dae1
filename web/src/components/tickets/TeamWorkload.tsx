import { useQuery } from '@tanstack/react-query';
import { Badge, Flex, List, Skeleton, Tag, Tooltip, Typography } from 'antd';
import { InfoCircleOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import type { TeamWorkload as Workload } from '../../api/deskTypes';
import type { Id } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';

/**
 * A team's members with their open tickets and whether they are on duty (GET /teams/{id}/workload),
 * least loaded first among those on duty; a click picks the member as the assignee. "在岗" is only
 * what Yunwei knows (an active account used in the last 30 minutes): the tooltip says so.
 */
export function TeamWorkload({ teamId, value, onPick }: { teamId: Id; value?: Id | null; onPick: (userId: Id) => void }) {
  const { t, fmtDateTime } = useI18n();
  const can = useCan();
  const load = useQuery({
    queryKey: ['/teams', teamId, 'workload'],
    queryFn: () => api.get<Workload>(`/teams/${teamId}/workload`),
    enabled: can('tickets.dispatch'),
    staleTime: 15_000,
  });
  if (!can('tickets.dispatch')) return null;
  if (load.isPending) return <Skeleton active paragraph={{ rows: 2 }} title={false} />;
  if (!load.data) return null;
  const members = [...load.data.members].filter((m) => !m.disabled).sort((a, b) => Number(b.onDuty) - Number(a.onDuty) || a.open - b.open);
  return (
    <div data-testid="team-workload" style={{ marginBottom: 16 }}>
      <Flex align="center" gap={6} style={{ marginBottom: 4 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('desk.workload.title', { team: load.data.teamName })}
        </Typography.Text>
        <Tooltip title={t('desk.workload.onDutyHelp', { minutes: load.data.onDutyMinutes })}>
          <InfoCircleOutlined style={{ color: '#8c8c8c', fontSize: 12 }} data-testid="team-workload-help" />
        </Tooltip>
      </Flex>
      <List
        size="small"
        bordered
        dataSource={members}
        renderItem={(m) => (
          <List.Item
            onClick={() => onPick(m.userId)}
            style={{ cursor: 'pointer', background: value === m.userId ? '#e6f4ff' : undefined, paddingBlock: 4 }}
            data-testid="team-workload-member"
            data-user-id={m.userId}
            data-open={m.open}
            data-on-duty={m.onDuty}
          >
            <Flex align="center" gap={8} style={{ width: '100%' }}>
              <Tooltip title={m.lastSeenAt ? t('desk.workload.lastSeen', { at: fmtDateTime(m.lastSeenAt) }) : t('desk.workload.never')}>
                <Badge status={m.onDuty ? 'success' : 'default'} text={m.displayName} />
              </Tooltip>
              {m.isLead && <Tag>{t('desk.workload.lead')}</Tag>}
              <span style={{ flex: 1 }} />
              {m.onDuty && <Tag color="green">{t('desk.workload.onDuty')}</Tag>}
              <Tooltip title={t('desk.workload.openHelp')}>
                <Typography.Text type={m.open > 5 ? 'warning' : 'secondary'}>{t('desk.workload.open', { count: m.open })}</Typography.Text>
              </Tooltip>
            </Flex>
          </List.Item>
        )}
      />
    </div>
  );
}
