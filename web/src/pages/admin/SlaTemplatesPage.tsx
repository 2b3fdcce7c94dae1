import { Alert, Card, Skeleton } from 'antd';
import { useI18n } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useSlaTemplates } from './sla/slaShared';
import { TemplateCards } from './sla/TemplateCards';

/** /admin/sla: where SLA policies live (on contracts) and the templates one can start from. */
export default function SlaTemplatesPage() {
  const { t } = useI18n();
  const templates = useSlaTemplates();
  return (
    <div data-testid="page-sla">
      <PageHeader title={t('sla.title')} />
      <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('sla.subtitle')} data-testid="sla-where" />
      <Card title={t('sla.templates')}>
        {templates.isPending ? (
          <Skeleton active />
        ) : templates.isError ? (
          <ErrorAlert error={templates.error} onRetry={() => templates.refetch()} />
        ) : (
          <TemplateCards templates={templates.data ?? []} />
        )}
      </Card>
    </div>
  );
}
