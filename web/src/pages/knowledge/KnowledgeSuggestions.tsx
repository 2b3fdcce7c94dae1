import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Flex, List, Space, Tag, Typography } from 'antd';
import { BulbOutlined, CheckOutlined, SendOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { api } from '../../api/client';
import { useDebounced } from '../../components/useDebounced';
import type { Suggestions } from '../../api/knowledge';
import { KindTag } from './kbShared';

export function useSuggestions(text: string, customerId?: number | null, enabled = true) {
  const settled = useDebounced(text.trim());
  return useQuery({
    queryKey: ['/knowledge/suggest', settled, customerId ?? null],
    queryFn: ({ signal }) => api.get<Suggestions>('/knowledge/suggest', { text: settled, customerId: customerId ?? undefined, limit: 5 }, { signal }),
    enabled: enabled && settled.length >= 2,
    staleTime: 30_000,
  });
}

/**
 * Beside the call being logged (REQ #12: a first diagnosis from the knowledge base before
 * dispatching): articles and known errors matching the title and description, and open tickets
 * of the same customer that look alike. Choosing one sends it to the caller as the first reply
 * once the ticket is saved.
 */
export function KnowledgeSuggestions({ text, customerId, chosen, onChoose }: { text: string; customerId?: number | null; chosen: number | null; onChoose: (id: number | null) => void }) {
  const { t } = useI18n();
  const q = useSuggestions(text, customerId);
  const data = q.data;
  return (
    <Card
      size="small"
      style={{ marginBottom: 16, background: '#fafcff' }}
      title={
        <span>
          <BulbOutlined /> {t('kb.suggest.title')}
        </span>
      }
      data-testid="call-suggestions"
    >
      {!data || text.trim().length < 2 ? (
        <Typography.Text type="secondary">{t('kb.suggest.empty')}</Typography.Text>
      ) : data.articles.length === 0 && data.tickets.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.suggest.none')} />
      ) : (
        <>
          <List
            size="small"
            dataSource={data.articles}
            renderItem={(a) => (
              <List.Item
                className="kb-suggest-item"
                data-testid={`call-suggestion-${a.id}`}
                actions={[
                  !a.sendable ? (
                    <Tag key="i">{t('kb.audience.internal')}</Tag>
                  ) : chosen === a.id ? (
                    <Button key="c" size="small" type="primary" icon={<CheckOutlined />} onClick={() => onChoose(null)} data-testid="call-suggestion-chosen">
                      {t('kb.suggest.pending')}
                    </Button>
                  ) : (
                    <Button key="s" size="small" icon={<SendOutlined />} title={t('kb.suggest.sendHelp')} onClick={() => onChoose(a.id)} data-testid="call-suggestion-send">
                      {t('kb.suggest.send')}
                    </Button>
                  ),
                ]}
              >
                <div style={{ minWidth: 0 }}>
                  <Space size={4} wrap>
                    <KindTag kind={a.kind} />
                    <Link to={`/knowledge/${a.id}`} target="_blank" data-testid="call-suggestion-title">
                      {a.title}
                    </Link>
                  </Space>
                  <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: 0, fontSize: 12 }}>
                    {a.excerpt}
                  </Typography.Paragraph>
                </div>
              </List.Item>
            )}
          />
          {data.tickets.length > 0 && (
            <div style={{ marginTop: 8 }} data-testid="call-duplicates">
              <Typography.Text type="warning">{t('kb.suggest.duplicates')}</Typography.Text>
              <Flex vertical gap={2} style={{ marginTop: 4 }}>
                {data.tickets.map((x) => (
                  <span key={x.id}>
                    <Link to={`/tickets/${x.id}`} target="_blank">
                      {x.number}
                    </Link>{' '}
                    {x.title} <Tag>{t(`tickets.state.${x.state}` as never)}</Tag>
                  </span>
                ))}
              </Flex>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
