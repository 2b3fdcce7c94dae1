import { useEffect, useState, type ReactNode } from 'react';
import { Alert, App, Button, Drawer, Flex, Form, Typography, type FormInstance } from 'antd';
import { applyFieldErrors, isApiError, type FieldError } from '../api/client';
import { useI18n } from '../i18n';
import { useIsMobile } from './useIsMobile';

export interface FormDrawerProps<V> {
  open: boolean;
  title: ReactNode;
  /** data-testid of the form; buttons get `<testid>-submit` / `<testid>-cancel`. */
  testid: string;
  /** Changes when another record is opened: the form is reset to initialValues. */
  recordKey?: string | number | null;
  initialValues?: Partial<V>;
  onClose: () => void;
  /** Throw (reject) to keep the drawer open; ApiError field errors land on the fields. */
  onSubmit: (values: V) => Promise<unknown>;
  successMessage?: string;
  form?: FormInstance<V>;
  width?: number;
  aliases?: Record<string, string>;
  children: ReactNode;
  extraFooter?: ReactNode;
  onValuesChange?: (changed: Partial<V>, all: V) => void;
  /** Show the record without the save button (no write permission). */
  readOnly?: boolean;
}

/**
 * Create/edit form in a Drawer: inline validation, server field errors mapped onto the
 * fields, typed text never lost (the drawer stays open on error and asks before discarding
 * changes), Ctrl+Enter saves.
 */
export function FormDrawer<V extends object>(props: FormDrawerProps<V>) {
  const { open, title, testid, recordKey, initialValues, onClose, onSubmit, successMessage, width = 560, aliases } = props;
  const [own] = Form.useForm<V>();
  const form = props.form ?? own;
  const { t, errorText, locale } = useI18n();
  const { message, modal } = App.useApp();
  const mobile = useIsMobile();
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<{ text: string; unmatched: FieldError[] } | null>(null);

  useEffect(() => {
    if (open) {
      form.resetFields();
      setProblem(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, recordKey]);

  const tryClose = () => {
    if (submitting) return;
    if (!props.readOnly && form.isFieldsTouched()) {
      modal.confirm({
        title: t('common.discardTitle'),
        content: t('common.discardText'),
        okText: t('common.discard'),
        cancelText: t('common.keepEditing'),
        okButtonProps: { danger: true, 'data-testid': 'discard-confirm' },
        onOk: onClose,
      });
    } else onClose();
  };

  const finish = async (values: V) => {
    setSubmitting(true);
    setProblem(null);
    try {
      await onSubmit(values);
      message.success(successMessage ?? t('common.saved'));
      onClose();
    } catch (e) {
      const unmatched = applyFieldErrors(form, e, aliases);
      const hasFieldErrors = isApiError(e) && e.errors.length > unmatched.length;
      const text = errorText(e);
      const sep = /[。．.!！?？]$/.test(text) ? ' ' : locale === 'zh-CN' ? '。' : '. ';
      setProblem({ text: hasFieldErrors ? text + sep + t('common.unsavedHint') : text, unmatched });
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Drawer
      open={open}
      title={title}
      onClose={tryClose}
      size={mobile ? '100%' : width}
      maskClosable={false}
      footer={
        <Flex justify="space-between" align="center" gap={8}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {!mobile && t('common.submitHint')}
          </Typography.Text>
          <Flex gap={8}>
            {props.extraFooter}
            <Button onClick={tryClose} data-testid={`${testid}-cancel`}>
              {t('common.cancel')}
            </Button>
            {!props.readOnly && (
              <Button type="primary" loading={submitting} onClick={() => form.submit()} data-testid={`${testid}-submit`}>
                {t('common.save')}
              </Button>
            )}
          </Flex>
        </Flex>
      }
    >
      {problem && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid={`${testid}-error`}
          title={problem.text}
          description={
            problem.unmatched.length > 0 ? (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {problem.unmatched.map((u, i) => (
                  <li key={i}>
                    {u.field ? `${u.field}: ` : ''}
                    {u.message}
                  </li>
                ))}
              </ul>
            ) : undefined
          }
        />
      )}
      <Form<V>
        form={form}
        layout="vertical"
        initialValues={initialValues}
        onFinish={finish}
        onValuesChange={props.onValuesChange}
        disabled={props.readOnly}
        data-testid={testid}
        scrollToFirstError
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !props.readOnly) {
            e.preventDefault();
            form.submit();
          }
        }}
      >
        {props.children}
      </Form>
    </Drawer>
  );
}
