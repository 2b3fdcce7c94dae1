import { Button, Result } from 'antd';
import { useNavigate } from 'react-router';
import { useI18n } from '../i18n';

export function ForbiddenPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      status="403"
      title={t('status.403.title')}
      subTitle={t('status.403.text')}
      data-testid="page-403"
      extra={
        <Button type="primary" onClick={() => navigate('/')} data-testid="status-home">
          {t('common.backHome')}
        </Button>
      }
    />
  );
}

export function NotFoundPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title={t('status.404.title')}
      subTitle={t('status.404.text')}
      data-testid="page-404"
      extra={
        <Button type="primary" onClick={() => navigate('/')} data-testid="status-home">
          {t('common.backHome')}
        </Button>
      }
    />
  );
}

export function ComingSoonPage({ name }: { name: string }) {
  const { t } = useI18n();
  return (
    <Result
      status="info"
      title={t('status.soon.title')}
      subTitle={t('status.soon.text', { name })}
      data-testid="page-coming-soon"
    />
  );
}
