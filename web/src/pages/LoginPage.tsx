import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { api, applyFieldErrors, isApiError, setCsrfToken } from '../api/client';
import type { LoginResponse, Me } from '../api/types';
import { useI18n } from '../i18n';
import { ME_KEY, fetchMe, homePathFor } from '../auth/session';
import { LanguageSwitch } from '../layouts/TopBar';

interface LoginForm {
  username: string;
  password: string;
}

function safeNext(next: string | null, me: Me): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return homePathFor(me);
  // customer staff land in the portal, never in the agent workspace
  if (me.customerId != null && next.startsWith('/workspace')) return '/portal';
  return next;
}

export default function LoginPage() {
  const { t, errorText, setLocale } = useI18n();
  const [form] = Form.useForm<LoginForm>();
  const [sp] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  // Already logged in? Go straight to the user's home.
  useEffect(() => {
    let live = true;
    fetchMe()
      .then((me) => {
        if (!live) return;
        qc.setQueryData(ME_KEY, me);
        navigate(safeNext(sp.get('next'), me), { replace: true });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onFinish = async (values: LoginForm) => {
    setSubmitting(true);
    setError(null);
    try {
      const res = await api.post<LoginResponse>('/auth/login', values, { noAuthRedirect: true });
      if (res?.csrfToken) setCsrfToken(res.csrfToken);
      let me: Me | undefined = res?.user;
      if (!me || !Array.isArray(me.permissions)) me = await fetchMe();
      qc.clear();
      qc.setQueryData(ME_KEY, me);
      if (me.locale) setLocale(me.locale);
      navigate(safeNext(sp.get('next'), me), { replace: true });
    } catch (e) {
      const fromServer = isApiError(e) && !!e.code && !!e.problem.title;
      if (!isApiError(e)) setError(errorText(e));
      else if (e.status === 401) setError(t('login.failed'));
      else if (e.status === 429)
        setError(fromServer ? e.title : e.retryAfter ? t('login.rateLimitedSeconds', { seconds: e.retryAfter }) : t('login.rateLimited'));
      else {
        applyFieldErrors(form, e);
        setError(errorText(e));
      }
      form.setFieldValue('password', '');
      form.getFieldInstance('password')?.focus?.();
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="yw-login-bg">
      <div style={{ position: 'absolute', top: 12, right: 16 }}>
        <LanguageSwitch loggedIn={false} />
      </div>
      <Card className="yw-login-card" variant="borderless">
        <Flex vertical align="center" gap={4} style={{ marginBottom: 24 }}>
          <span className="yw-brand-mark yw-brand-mark-lg">运</span>
          <Typography.Title level={3} style={{ margin: '8px 0 0' }}>
            {t('app.fullName')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
        </Flex>
        {error && (
          <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" role="alert" />
        )}
        <Form<LoginForm> form={form} layout="vertical" onFinish={onFinish} requiredMark={false} size="large">
          <Form.Item
            name="username"
            label={t('login.username')}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('login.username') }) }]}
          >
            <Input
              prefix={<UserOutlined />}
              autoComplete="username"
              autoFocus
              data-testid="login-username"
              onChange={() => setError(null)}
            />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, message: t('common.required', { field: t('login.password') }) }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
