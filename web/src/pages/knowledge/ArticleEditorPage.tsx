import { useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Radio, Row, Select, Space, Spin, Tooltip, Typography, Upload } from 'antd';
import {
  BoldOutlined,
  CodeOutlined,
  FileTextOutlined,
  ItalicOutlined,
  OrderedListOutlined,
  PictureOutlined,
  RedoOutlined,
  UndoOutlined,
  UnorderedListOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { EditorContent, useEditor, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import Image from '@tiptap/extension-image';
import { useI18n } from '../../i18n';
import { api, applyFieldErrors, fetchAll, isApiError } from '../../api/client';
import { ARTICLE_KINDS, AUDIENCES, KB, type Article, type ArticleKind, type Audience, type KbFile } from '../../api/knowledge';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RemoteSelect } from '../../components/RemoteSelect';
import { useUnsavedGuard } from '../../components/useUnsavedGuard';
import type { Contract, Id } from '../../api/types';
import { useCan } from '../../auth/session';
import './knowledge.css';

interface FormValues {
  kind: ArticleKind;
  title: string;
  symptom?: string;
  cause?: string;
  appliesTo?: string;
  category?: string;
  tags: string[];
  linkedServices: string[];
  ciTypes: string[];
  audience: Audience;
  audienceCustomerIds: Id[];
  customerId?: Id | null;
}

/** Write or edit an article: tiptap for the body (images and code blocks), attachments, audience. */
export default function ArticleEditorPage() {
  const params = useParams();
  const id = params.id ? Number(params.id) : null;
  const q = useQuery({ queryKey: [KB, id], queryFn: () => api.get<Article>(`${KB}/${id}`), enabled: id !== null });
  if (id !== null && q.isLoading) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (id !== null && (q.error || !q.data)) return <ErrorAlert error={q.error} onRetry={() => q.refetch()} />;
  return <EditorForm article={q.data ?? null} />;
}

function EditorForm({ article }: { article: Article | null }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const [dirty, setDirty] = useState(false);
  const [files, setFiles] = useState<KbFile[]>(article?.files ?? []);
  const [stale, setStale] = useState(false);
  const kind = Form.useWatch('kind', form) ?? article?.kind ?? 'solution';
  const audience = Form.useWatch('audience', form) ?? article?.audience ?? 'internal';
  // Linked services are offered from the customer's contracts (any other text may be typed too).
  const can = useCan();
  const customerId = Form.useWatch('customerId', form) ?? article?.customerId ?? null;
  const contracts = useQuery({
    queryKey: ['/contracts', 'of', customerId],
    queryFn: () => fetchAll<Contract>(`/customers/${customerId}/contracts`),
    enabled: customerId != null && can('contracts.read'),
    staleTime: 5 * 60_000,
  });
  const serviceOptions = [...new Set((contracts.data ?? []).flatMap((c) => c.services ?? []))].map((x) => ({ value: x, label: x }));
  useUnsavedGuard(dirty);
  // Leave for the article once the guard has seen the saved (clean) state.
  const [savedId, setSavedId] = useState<number | null>(null);
  useEffect(() => {
    if (savedId !== null && !dirty) navigate(`/knowledge/${savedId}`);
  }, [savedId, dirty, navigate]);
  const editor = useEditor({
    extensions: [StarterKit.configure({ link: { openOnClick: false } }), Image.configure({ allowBase64: true })],
    content: article?.bodyHtml ?? '',
    onUpdate: () => setDirty(true),
  });

  const save = useMutation({
    mutationFn: (v: FormValues) => {
      const body = {
        ...v,
        symptom: v.symptom ?? null,
        cause: v.cause ?? null,
        appliesTo: v.appliesTo ?? null,
        category: v.category ?? null,
        customerId: v.customerId ?? null,
        audienceCustomerIds: v.audience === 'named' ? v.audienceCustomerIds ?? [] : [],
        bodyHtml: editor?.getHTML() ?? '',
        fileIds: files.map((f) => f.id),
      };
      return article ? api.patch<Article>(`${KB}/${article.id}`, { ...body, version: article.version }) : api.post<Article>(KB, body);
    },
    onSuccess: (a) => {
      setDirty(false);
      qc.setQueryData([KB, a.id], a);
      void qc.invalidateQueries({ queryKey: [KB, 'list'] });
      message.success(t('kb.saved'));
      setSavedId(a.id);
    },
    onError: (e) => {
      if (isApiError(e) && e.status === 409) setStale(true);
      else {
        const rest = applyFieldErrors(form, e);
        if (rest.length || !isApiError(e) || !e.errors.length) message.error(rest.length ? rest.map((x) => x.message).join('；') : errorText(e));
      }
    },
  });

  const upload = async (file: File): Promise<KbFile | null> => {
    const body = new FormData();
    body.append('file', file);
    try {
      return await api.post<KbFile>('/knowledge/files', body);
    } catch (e) {
      message.error(errorText(e));
      return null;
    }
  };

  return (
    <div data-testid="page-kb-editor">
      <PageHeader
        title={article ? t('kb.editTitle') : t('kb.newTitle')}
        subtitle={article?.number}
        onBack={() => navigate(article ? `/knowledge/${article.id}` : '/knowledge')}
        extra={
          <Button type="primary" onClick={() => form.submit()} loading={save.isPending} data-testid="kb-save">
            {t('kb.save')}
          </Button>
        }
      />
      {stale && <Alert type="error" showIcon message={t('kb.stale')} style={{ marginBottom: 12 }} data-testid="kb-stale" />}
      <Form<FormValues>
        form={form}
        layout="vertical"
        onValuesChange={() => setDirty(true)}
        onFinish={(v) => save.mutate(v)}
        initialValues={{
          kind: article?.kind ?? 'solution',
          title: article?.title,
          symptom: article?.symptom ?? undefined,
          cause: article?.cause ?? undefined,
          appliesTo: article?.appliesTo ?? undefined,
          category: article?.category ?? undefined,
          tags: article?.tags ?? [],
          linkedServices: article?.linkedServices ?? [],
          ciTypes: article?.ciTypes ?? [],
          audience: article?.audience ?? 'internal',
          audienceCustomerIds: article?.audienceCustomerIds ?? [],
          customerId: article?.customerId ?? null,
        }}
      >
        <Row gutter={16}>
          <Col xs={24} lg={17}>
            <Card size="small">
              <Form.Item name="kind" label={t('kb.filter.kind')} rules={[{ required: true }]}>
                <Radio.Group optionType="button" options={ARTICLE_KINDS.map((k) => ({ value: k, label: t(`kb.kind.${k}`) }))} data-testid="kb-form-kind" />
              </Form.Item>
              <Form.Item name="title" label={t('kb.field.title')} rules={[{ required: true, whitespace: true, max: 200 }]}>
                <Input maxLength={200} data-testid="kb-form-title" />
              </Form.Item>
              {(kind === 'solution' || kind === 'known_error') && (
                <>
                  <Form.Item name="symptom" label={t('kb.symptom')}>
                    <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={5000} data-testid="kb-form-symptom" />
                  </Form.Item>
                  <Form.Item name="cause" label={t('kb.cause')}>
                    <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} maxLength={5000} data-testid="kb-form-cause" />
                  </Form.Item>
                </>
              )}
              <Form.Item label={kind === 'solution' ? t('kb.steps') : t('kb.body')}>
                <div className="kb-editor" data-testid="kb-form-body">
                  <Toolbar editor={editor} onImage={async (file) => {
                    const f = await upload(file);
                    if (f && editor) {
                      setFiles((prev) => [...prev, f]);
                      editor.chain().focus().setImage({ src: `/api/v1/knowledge/files/${f.id}`, alt: f.name }).run();
                    }
                  }} />
                  <EditorContent editor={editor} className="kb-body" />
                </div>
              </Form.Item>
              <Form.Item name="appliesTo" label={t('kb.appliesTo')}>
                <Input maxLength={1000} />
              </Form.Item>
              <Form.Item label={t('kb.files')} extra={t('kb.uploadHelp')}>
                <Upload
                  multiple
                  showUploadList={false}
                  customRequest={async ({ file, onSuccess, onError }) => {
                    const f = await upload(file as File);
                    if (f) {
                      setFiles((prev) => [...prev, f]);
                      setDirty(true);
                      onSuccess?.(f);
                    } else onError?.(new Error('upload'));
                  }}
                >
                  <Button icon={<UploadOutlined />} data-testid="kb-form-upload">
                    {t('kb.upload')}
                  </Button>
                </Upload>
                <ul style={{ paddingLeft: 20, marginTop: 8 }} data-testid="kb-form-files">
                  {files
                    .filter((f) => !f.inline)
                    .map((f) => (
                      <li key={f.id}>
                        <FileTextOutlined /> {f.name} <Typography.Text type="secondary">{f.hasText ? t('kb.searchable') : ''}</Typography.Text>
                      </li>
                    ))}
                </ul>
              </Form.Item>
            </Card>
          </Col>
          <Col xs={24} lg={7}>
            <Card size="small">
              <Form.Item name="audience" label={t('kb.field.audience')}>
                <Radio.Group options={AUDIENCES.map((x) => ({ value: x, label: t(`kb.audience.${x}`) }))} data-testid="kb-form-audience" />
              </Form.Item>
              {audience === 'named' && (
                <Form.Item name="audienceCustomerIds" label={t('kb.audienceCustomers')} rules={[{ required: true, type: 'array', min: 1 }]}>
                  <RemoteSelect resource="customers" multiple testid="kb-form-audience-customers" />
                </Form.Item>
              )}
              <Form.Item name="customerId" label={t('kb.customer')}>
                <RemoteSelect resource="customers" testid="kb-form-customer" placeholder={t('kb.customerNone')} />
              </Form.Item>
              <Form.Item name="category" label={t('kb.category')}>
                <Input maxLength={50} data-testid="kb-form-category" />
              </Form.Item>
              <Form.Item name="tags" label={t('kb.tags')}>
                <Select mode="tags" tokenSeparators={[',', '，', ' ']} placeholder={t('kb.tagsPlaceholder')} open={false} data-testid="kb-form-tags" />
              </Form.Item>
              <Form.Item name="linkedServices" label={t('kb.services')}>
                <Select mode="tags" tokenSeparators={[',', '，']} placeholder={t('kb.servicesPlaceholder')} options={serviceOptions} open={serviceOptions.length ? undefined : false} data-testid="kb-form-services" />
              </Form.Item>
              <Form.Item name="ciTypes" label={t('kb.ciTypes')}>
                <Select mode="tags" tokenSeparators={[',', '，']} placeholder={t('kb.ciTypesPlaceholder')} open={false} />
              </Form.Item>
            </Card>
          </Col>
        </Row>
      </Form>
    </div>
  );
}

function Toolbar({ editor, onImage }: { editor: Editor | null; onImage: (file: File) => void }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [, force] = useState(0);
  useEffect(() => {
    if (!editor) return;
    const h = () => force((n) => n + 1);
    editor.on('transaction', h);
    return () => {
      editor.off('transaction', h);
    };
  }, [editor]);
  if (!editor) return null;
  const b = (key: Parameters<typeof t>[0], icon: React.ReactNode, run: () => void, active = false, label?: string) => (
    <Tooltip title={t(key)}>
      <Button size="small" type={active ? 'primary' : 'text'} icon={icon} onClick={run} aria-label={t(key)}>
        {label}
      </Button>
    </Tooltip>
  );
  return (
    <Space size={2} wrap className="kb-editor-bar">
      {b('kb.editor.bold', <BoldOutlined />, () => editor.chain().focus().toggleBold().run(), editor.isActive('bold'))}
      {b('kb.editor.italic', <ItalicOutlined />, () => editor.chain().focus().toggleItalic().run(), editor.isActive('italic'))}
      {b('kb.editor.h3', null, () => editor.chain().focus().toggleHeading({ level: 3 }).run(), editor.isActive('heading', { level: 3 }), 'H')}
      {b('kb.editor.bullet', <UnorderedListOutlined />, () => editor.chain().focus().toggleBulletList().run(), editor.isActive('bulletList'))}
      {b('kb.editor.ordered', <OrderedListOutlined />, () => editor.chain().focus().toggleOrderedList().run(), editor.isActive('orderedList'))}
      {b('kb.editor.code', <CodeOutlined />, () => editor.chain().focus().toggleCodeBlock().run(), editor.isActive('codeBlock'))}
      {b('kb.editor.quote', null, () => editor.chain().focus().toggleBlockquote().run(), editor.isActive('blockquote'), '“”')}
      {b('kb.editor.image', <PictureOutlined />, () => input.current?.click())}
      {b('kb.editor.undo', <UndoOutlined />, () => editor.chain().focus().undo().run())}
      {b('kb.editor.redo', <RedoOutlined />, () => editor.chain().focus().redo().run())}
      <input
        ref={input}
        type="file"
        accept="image/png,image/jpeg,image/gif,image/webp"
        style={{ display: 'none' }}
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onImage(f);
          e.target.value = '';
        }}
      />
    </Space>
  );
}
