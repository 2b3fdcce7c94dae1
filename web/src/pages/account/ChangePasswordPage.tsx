import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input } from 'antd';
import { api, applyFieldErrors } from '../../api/client';
import { useI18n } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { passwordOk } from '../../lib/password';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export default function ChangePasswordPage() {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const finish = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/password', { currentPassword: v.currentPassword, newPassword: v.newPassword }, { noAuthRedirect: true });
      message.success(t('account.password.done'));
      form.resetFields();
    } catch (e) {
      applyFieldErrors(form, e);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="page-change-password">
      <PageHeader title={t('account.password.title')} />
      <Card style={{ maxWidth: 520 }}>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="password-form-error" />}
        <Form<Values> form={form} layout="vertical" onFinish={finish} data-testid="password-form">
          <Form.Item
            name="currentPassword"
            label={t('account.password.current')}
            rules={[{ required: true, message: t('common.required', { field: t('account.password.current') }) }]}
          >
            <Input.Password autoComplete="current-password" data-testid="password-form-current" />
          </Form.Item>
          <Form.Item
            name="newPassword"
            label={t('account.password.new')}
            extra={t('users.passwordRule')}
            rules={[
              { required: true, message: t('common.required', { field: t('account.password.new') }) },
              { validator: (_, v: string) => (!v || passwordOk(v) ? Promise.resolve() : Promise.reject(new Error(t('users.passwordWeak')))) },
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="password-form-new" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={t('account.password.confirm')}
            dependencies={['newPassword']}
            rules={[
              { required: true, message: t('common.required', { field: t('account.password.confirm') }) },
              ({ getFieldValue }) => ({
                validator: (_, v: string) =>
                  !v || v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('account.password.mismatch'))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="password-form-confirm" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="password-form-submit">
            {t('common.save')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
