import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Affix, App, Button, Card, Col, Empty, Modal, Result, Row, Skeleton, Tag, Typography } from 'antd';
import { AppstoreAddOutlined, FormOutlined } from '@ant-design/icons';
import { api, isApiError } from '../../api/client';
import type { ContractSla, ContractSlaResponse, Contract, SlaTemplate } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useNames } from '../../components/RemoteSelect';
import { useUnsavedGuard } from '../../components/useUnsavedGuard';
import { useIsMobile } from '../../components/useIsMobile';
import { hoursLabel } from './CustomerContractsTab';
import { DEFAULT_MATRIX, useSlaTemplates } from './sla/slaShared';
import { TemplateCards } from './sla/TemplateCards';
import { SlaEditor } from './sla/SlaEditor';
import { SlaPreviewPanel } from './sla/SlaPreviewPanel';
import { useRecomputeOffer } from './calendars/RecomputeModal';

type Doc = Pick<ContractSla, 'matrix' | 'policy'>;
type Loaded = ContractSlaResponse & { sla: ContractSla };

export default function ContractSlaPage() {
  const { id: idParam = '' } = useParams();
  const id = /^\d+$/.test(idParam) ? Number(idParam) : null;
  const { t, errorText } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const mobile = useIsMobile();
  const canWrite = can('sla.write');
  const slaKey = ['/contracts', 'sla', id];

  const contract = useQuery({
    queryKey: ['/contracts', 'byId', id],
    queryFn: () => api.get<Contract>(`/contracts/${id}`),
    enabled: id !== null,
    retry: false,
  });
  const slaQ = useQuery({
    queryKey: slaKey,
    queryFn: () => api.get<ContractSlaResponse>(`/contracts/${id}/sla`),
    enabled: id !== null,
    retry: false,
  });
  const templates = useSlaTemplates();
  const customers = useNames('customers', [contract.data?.customerId], can('customers.read'));

  /** What the editor was opened on (a background refetch never replaces what is being typed). */
  const [base, setBase] = useState<{ data: Loaded; draft: boolean; n: number } | null>(null);
  const [doc, setDoc] = useState<Doc | null>(null);
  const [dirty, setDirty] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const [applying, setApplying] = useState<string | null>(null);
  // After the SLA is added or changed: offer to apply it to the open tickets from their reported time.
  const recompute = useRecomputeOffer();
  useUnsavedGuard(dirty);

  useEffect(() => {
    if (!base && slaQ.data?.sla) setBase({ data: slaQ.data as Loaded, draft: false, n: 0 });
  }, [slaQ.data, base]);

  if (id === null || (slaQ.isError && isApiError(slaQ.error) && slaQ.error.status === 404))
    return (
      <Result
        status="404"
        title={t('sla.contractNotFound')}
        data-testid="sla-not-found"
        extra={<Button onClick={() => navigate(-1)}>{t('common.back')}</Button>}
      />
    );
  if (slaQ.isPending) return <Skeleton active />;
  if (slaQ.isError) return <ErrorAlert error={slaQ.error} onRetry={() => slaQ.refetch()} />;
  if (slaQ.data.sla && !base) return <Skeleton active />;

  const c = contract.data;
  const version = base?.data.version ?? slaQ.data.version;
  const calendarId = c?.calendarId ?? '24x7';

  const adopt = (r: ContractSlaResponse, draft = false) => {
    if (!draft) qc.setQueryData(slaKey, r);
    if (r.sla) setBase((b) => ({ data: r as Loaded, draft, n: (b?.n ?? 0) + 1 }));
    else setBase(null);
    setDirty(draft);
    void qc.invalidateQueries({ queryKey: ['/contracts', 'byId', id] });
    if (c) void qc.invalidateQueries({ queryKey: [`/customers/${c.customerId}/contracts`] });
  };

  const apply = async (templateId: SlaTemplate['id'], policyId: string) => {
    const tpl = templates.data?.find((x) => x.id === templateId);
    const run = async () => {
      setApplying(templateId);
      try {
        const r = await api.post<ContractSlaResponse>(`/contracts/${id}/sla/apply-template`, { templateId, policyId, version });
        message.success(t('sla.applied', { name: tpl?.name ?? templateId }));
        setChoosing(false);
        adopt(r);
        if (id !== null) recompute.offer({ kind: 'contract', id });
        void qc.invalidateQueries({ queryKey: ['/calendars'] });
      } catch (e) {
        message.error(isApiError(e) && e.status === 409 ? `${t('common.conflictTitle')}` : errorText(e));
        if (isApiError(e) && e.status === 409) {
          const fresh = await slaQ.refetch();
          if (fresh.data) adopt(fresh.data);
        }
      } finally {
        setApplying(null);
      }
    };
    if (base && !base.draft) {
      modal.confirm({
        title: t('sla.applyConfirm', { name: tpl?.name ?? templateId }),
        okButtonProps: { danger: true, 'data-testid': 'sla-apply-confirm' },
        onOk: run,
      });
    } else await run();
  };

  const startBlank = () =>
    adopt(
      {
        version,
        sla: {
          templateId: null,
          matrix: structuredClone(DEFAULT_MATRIX),
          policy: {
            id: `contract-${id}`,
            name: c?.name ?? t('sla.pageTitle'),
            targets: {},
            pauseOn: { resolution: ['waiting_customer'] },
            warnings: [50, 80],
            escalation: [{ afterPercent: 100, notify: { roles: ['pm'] }, action: 'notify' }],
          },
        },
      },
      true,
    );

  const reload = async () => {
    const r = await slaQ.refetch();
    if (r.data) adopt(r.data);
  };

  const backTo = c ? `/admin/customers/${c.customerId}?tab=contracts` : '/admin/customers';
  const subtitle = c
    ? t('sla.contractInfo', { customer: customers.name(c.customerId), code: c.code, hours: hoursLabel(t, c.serviceHours) })
    : undefined;

  const picker = templates.isPending ? (
    <Skeleton active />
  ) : templates.isError ? (
    <ErrorAlert error={templates.error} onRetry={() => templates.refetch()} />
  ) : (
    <TemplateCards templates={templates.data ?? []} onApply={canWrite ? (tid, pid) => void apply(tid, pid) : undefined} applying={applying} />
  );

  return (
    <div data-testid="page-contract-sla">
      <PageHeader
        title={
          <span>
            {t('sla.pageTitle')}
            {c && <Typography.Text type="secondary" style={{ fontWeight: 400 }}> · {c.name}</Typography.Text>}
          </span>
        }
        subtitle={subtitle}
        tags={
          base?.data.sla.templateId && (
            // The template by its name (T3 is an id of the docs, not a word of the users)
            <Tag color="blue" style={{ whiteSpace: 'normal' }} data-template={base.data.sla.templateId}>
              {t('sla.template', { id: templates.data?.find((x) => x.id === base.data.sla.templateId)?.name ?? base.data.sla.templateId })}
            </Tag>
          )
        }
        onBack={() => navigate(backTo)}
        extra={
          base &&
          canWrite && (
            <Button icon={<AppstoreAddOutlined />} onClick={() => setChoosing(true)} data-testid="sla-change-template">
              {t('sla.changeTemplate')}
            </Button>
          )
        }
      />
      {!base ? (
        <Card>
          <Empty description={canWrite ? t('sla.none') : t('sla.noneReadOnly')} data-testid="sla-empty" style={{ marginBottom: 16 }}>
            {canWrite && (
              <Button icon={<FormOutlined />} onClick={startBlank} data-testid="sla-start-blank">
                {t('sla.startBlank')}
              </Button>
            )}
          </Empty>
          <Typography.Title level={5}>{t('sla.templates')}</Typography.Title>
          {picker}
        </Card>
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={16} style={{ minWidth: 0 }}>
            <SlaEditor
              key={`${base.data.version}:${base.n}`}
              contractId={id}
              data={base.data}
              contractCalendarId={calendarId}
              readOnly={!canWrite}
              startDirty={base.draft}
              onDirtyChange={setDirty}
              onDocChange={setDoc}
              onSaved={(r) => {
                adopt(r);
                if (id !== null) recompute.offer({ kind: 'contract', id });
              }}
              onReload={() => void reload()}
            />
          </Col>
          <Col xs={24} xl={8} style={{ minWidth: 0 }}>
            {mobile ? (
              <Card size="small" title={t('sla.preview')}>
                <SlaPreviewPanel doc={doc} />
              </Card>
            ) : (
              <Affix offsetTop={72}>
                <Card size="small" title={t('sla.preview')} style={{ maxHeight: 'calc(100vh - 88px)', overflow: 'auto' }}>
                  <SlaPreviewPanel doc={doc} />
                </Card>
              </Affix>
            )}
          </Col>
        </Row>
      )}
      {recompute.modal}
      <Modal
        open={choosing}
        title={t('sla.templates')}
        width={1100}
        footer={null}
        onCancel={() => !applying && setChoosing(false)}
        destroyOnHidden
      >
        {picker}
      </Modal>
    </div>
  );
}
