import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, List, Typography } from 'antd';
import { BulbOutlined, CheckCircleOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { api } from '../../api/client';
import { useSuggestions } from '../knowledge/KnowledgeSuggestions';

/**
 * "这能解决您的问题吗？" while a customer describes a problem in the portal (REQ #123, #129): the
 * published articles meant for his customer that match what he typed. "Solved" counts a
 * deflection (no ticket is made) and closes the report.
 */
export function KnowledgeDeflect({ text, onSolved }: { text: string; onSolved: () => void }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const q = useSuggestions(text);
  const [done, setDone] = useState(false);
  const deflect = useMutation({
    mutationFn: (articleId: number) => api.post('/knowledge/deflections', { articleId, query: text.trim().slice(0, 500) || null }),
    onSuccess: () => {
      setDone(true);
      message.success(t('kb.portal.deflected'));
      onSolved();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const articles = q.data?.articles ?? [];
  if (done) return <Alert type="success" showIcon title={t('kb.portal.deflected')} />;
  if (!articles.length) return null;
  return (
    <Card size="small" style={{ marginBottom: 16, background: '#f6ffed', borderColor: '#b7eb8f' }} data-testid="portal-kb-suggestions">
      <Typography.Text strong>
        <BulbOutlined /> {t('kb.portal.didItSolve')}
      </Typography.Text>
      <List
        size="small"
        dataSource={articles}
        renderItem={(a) => (
          <List.Item data-testid={`portal-kb-suggestion-${a.id}`}>
            <div style={{ width: '100%' }}>
              <Link to={`/portal/knowledge/${a.id}`} target="_blank" data-testid="portal-kb-suggestion-title">
                {a.title}
              </Link>
              <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: '2px 0', fontSize: 12 }}>
                {a.excerpt}
              </Typography.Paragraph>
              <Flex justify="flex-end">
                <Button size="small" icon={<CheckCircleOutlined />} loading={deflect.isPending} onClick={() => deflect.mutate(a.id)} data-testid="portal-kb-solved">
                  {t('kb.portal.solved')}
                </Button>
              </Flex>
            </div>
          </List.Item>
        )}
      />
    </Card>
  );
}
