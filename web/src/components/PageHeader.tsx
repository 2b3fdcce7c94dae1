import type { ReactNode } from 'react';
import { Button, Flex, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';

/** Page title on the left, the page's actions on the right. */
export function PageHeader({
  title,
  subtitle,
  extra,
  onBack,
  tags,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  extra?: ReactNode;
  onBack?: () => void;
  tags?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Flex justify="space-between" align="flex-start" wrap gap={12} style={{ marginBottom: 16 }}>
      <Flex align="flex-start" gap={8} style={{ minWidth: 0 }}>
        {onBack && (
          <Button
            type="text"
            icon={<ArrowLeftOutlined />}
            onClick={onBack}
            aria-label={t('common.back')}
            data-testid="page-back"
          />
        )}
        <div style={{ minWidth: 0 }}>
          <Flex align="center" gap={8} wrap>
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="page-title">
              {title}
            </Typography.Title>
            {tags}
          </Flex>
          {subtitle && (
            <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
              {subtitle}
            </Typography.Text>
          )}
        </div>
      </Flex>
      {extra && (
        <Flex gap={8} wrap>
          {extra}
        </Flex>
      )}
    </Flex>
  );
}
