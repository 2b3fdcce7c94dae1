import { useNavigate } from 'react-router';
import { Alert, Button, Flex, Result, Spin } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { isApiError } from '../../api/client';
import { useI18n } from '../../i18n';
import { ErrorAlert } from '../ErrorAlert';

/**
 * A ticket page (the agents' and the portal's) while its ticket is not there: a spinner while it
 * loads, a 404 with the way back, any other error with a retry. Render it while the query is
 * pending or failed.
 */
export function TicketLoadState({
  query,
  notFoundTestid,
  backTo,
  backLabel,
}: {
  query: { isPending: boolean; error: unknown; refetch: () => unknown };
  notFoundTestid: string;
  backTo: string;
  backLabel: string;
}) {
  const { t } = useI18n();
  const navigate = useNavigate();
  if (query.isPending) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (isApiError(query.error) && query.error.status === 404) {
    return (
      <Result
        status="404"
        title={t('tickets.notFound')}
        data-testid={notFoundTestid}
        extra={
          <Button type="primary" onClick={() => navigate(backTo)}>
            {backLabel}
          </Button>
        }
      />
    );
  }
  return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
}

/** Someone else changed the ticket meanwhile: the server's words and a reload. */
export function TicketConflictAlert({ text, onReload }: { text: string; onReload: () => void }) {
  const { t } = useI18n();
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={t('tickets.conflict')}
      description={text}
      data-testid="ticket-conflict"
      action={
        <Button size="small" type="primary" icon={<ReloadOutlined />} onClick={onReload} data-testid="ticket-conflict-reload">
          {t('common.reload')}
        </Button>
      }
    />
  );
}
