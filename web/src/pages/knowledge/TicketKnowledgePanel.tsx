import { Link, useNavigate } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Card, Flex, List, Space, Tag, Typography } from 'antd';
import { BookOutlined, CheckCircleOutlined, SendOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useCan, useCurrentUser } from '../../auth/session';
import { api } from '../../api/client';
import type { Ticket } from '../../api/types';
import { KB, type Article } from '../../api/knowledge';
import { useSuggestions } from './KnowledgeSuggestions';
import { KindTag } from './kbShared';

const OPEN = ['new', 'assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor'];

/**
 * Knowledge on the ticket page (provider staff): while the ticket is open, matching articles to
 * send to the caller and, once one was sent, "the caller confirms it is solved" (resolved on the
 * first line); once resolved, 转为知识 drafts a solution article from the ticket.
 */
export function TicketKnowledgePanel({ ticket, onChanged }: { ticket: Ticket; onChanged: () => unknown }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const can = useCan();
  const me = useCurrentUser();
  const navigate = useNavigate();
  const open = OPEN.includes(ticket.state);
  const staff = me.customerId == null;
  const sent = ticket.timeline.filter((e) => e.type === 'knowledge' && e.data.action === 'sent');
  const solvedEvent = ticket.timeline.find((e) => e.type === 'knowledge' && e.data.action === 'solved');
  const suggestions = useSuggestions(`${ticket.title} ${ticket.description}`.slice(0, 500), ticket.customerId, staff && open && can('knowledge.read') && sent.length === 0);
  const use = useMutation({
    mutationFn: ({ action, articleId }: { action: 'send' | 'solved'; articleId: number }) => api.post<{ firstLine: boolean }>(`/tickets/${ticket.id}/knowledge/${action}`, { articleId }),
    onSuccess: (_r, v) => {
      message.success(v.action === 'send' ? t('kb.suggest.sent') : t('kb.suggest.solvedDone'));
      void onChanged();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const draft = useMutation({
    mutationFn: () => api.post<Article>(`${KB}/from-ticket/${ticket.id}`),
    onSuccess: (a) => navigate(`/knowledge/${a.id}/edit`),
    onError: (e) => message.error(errorText(e)),
  });
  if (!staff || !can('knowledge.read')) return null;
  if (!open) {
    if (!(ticket.state === 'resolved' || ticket.state === 'closed') || !can('knowledge.write')) return null;
    return (
      <Card size="small" data-testid="ticket-knowledge">
        <Flex justify="space-between" align="center" gap={8} wrap>
          <Typography.Text type="secondary">
            {solvedEvent ? (
              <>
                <CheckCircleOutlined /> {t('kb.suggest.solvedDone')}：{String(solvedEvent.data.title ?? '')}
              </>
            ) : (
              t('kb.toKnowledgeHelp')
            )}
          </Typography.Text>
          <Button icon={<BookOutlined />} onClick={() => draft.mutate()} loading={draft.isPending} data-testid="ticket-to-knowledge">
            {t('kb.toKnowledge')}
          </Button>
        </Flex>
      </Card>
    );
  }
  if (sent.length > 0 && can('tickets.write')) {
    return (
      <Card size="small" title={<span><BookOutlined /> {t('kb.suggest.title')}</span>} data-testid="ticket-knowledge">
        {sent.map((e) => (
          <Flex key={e.id} justify="space-between" align="center" gap={8} wrap style={{ marginBottom: 4 }}>
            <span>
              <Tag color="blue">{t('kb.suggest.sent')}</Tag>
              <Link to={`/knowledge/${String(e.data.articleId)}`}>{String(e.data.title ?? '')}</Link>
            </span>
            <Button type="primary" icon={<CheckCircleOutlined />} loading={use.isPending} onClick={() => use.mutate({ action: 'solved', articleId: Number(e.data.articleId) })} data-testid="ticket-knowledge-solved">
              {t('kb.suggest.solved')}
            </Button>
          </Flex>
        ))}
      </Card>
    );
  }
  const articles = suggestions.data?.articles ?? [];
  if (!articles.length) return null;
  return (
    <Card size="small" title={<span><BookOutlined /> {t('kb.suggest.title')}</span>} data-testid="ticket-knowledge">
      <List
        size="small"
        dataSource={articles}
        renderItem={(a) => (
          <List.Item
            actions={
              can('tickets.write') && a.sendable
                ? [
                    <Button key="send" size="small" icon={<SendOutlined />} loading={use.isPending} onClick={() => use.mutate({ action: 'send', articleId: a.id })} data-testid={`ticket-knowledge-send-${a.id}`}>
                      {t('kb.suggest.send')}
                    </Button>,
                  ]
                : []
            }
          >
            <Space size={4} wrap>
              <KindTag kind={a.kind} />
              <Link to={`/knowledge/${a.id}`}>{a.title}</Link>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
