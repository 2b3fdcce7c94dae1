import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Flex, Input, Result, Spin, Tabs, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, StopOutlined } from '@ant-design/icons';
import { api, isApiError } from '../../api/client';
import { useI18n } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useIsMobile } from '../../components/useIsMobile';
import { CIS, attrLabel, useCiTypes, type Ci } from './api';
import { AttributeValueView, CiStatusTag, CriticalityTag } from './shared';
import { CiEditDrawer } from './CiEditDrawer';
import { RelationsTab } from './RelationsTab';
import { ImpactTab } from './ImpactTab';
import { HistoryTab } from './HistoryTab';
import { RelatedRepairOrders, RelatedPartMovements, RelatedRepairReports, RelatedTickets, useRelated } from './RelatedTabs';
import './cmdb.css';

export function useCi(id: number) {
  return useQuery({
    queryKey: [CIS, 'one', id],
    queryFn: () => api.get<Ci>(`${CIS}/${id}`),
    enabled: Number.isInteger(id) && id > 0,
    retry: (n, e) => !(isApiError(e) && e.status < 500) && n < 2,
  });
}

/**
 * 配置项 page: who and what it is, its attributes as its type defines them, and the tabs —
 * relationships, impact analysis (graph and list), tickets and visits, repair reports, repair
 * orders, spare-part movements, history. Edit, retire and delete for cmdb.write; read-only in the
 * portal (`portal`). On a phone: one column, tabs scroll.
 */
export default function CiPage({ portal = false }: { portal?: boolean }) {
  const { id: idText } = useParams();
  const id = Number(idText);
  const { t, locale, fmtDateTime, errorText } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const mobile = useIsMobile();
  const query = useCi(id);
  const ci = query.data;
  const types = useCiTypes(true);
  const related = useRelated(id, !!ci);
  const [editing, setEditing] = useState(false);
  const [tab, setTab] = useState('relations');

  if (query.isPending && Number.isInteger(id) && id > 0) return <Spin style={{ display: 'block', margin: '64px auto' }} />;
  if (!ci) {
    const notFound = !Number.isInteger(id) || id <= 0 || (isApiError(query.error) && (query.error.status === 404 || query.error.status === 400));
    return notFound ? (
      <Result
        status="404"
        title={t('cmdb.notFound.title')}
        subTitle={t('cmdb.notFound.text')}
        data-testid="ci-not-found"
        extra={
          <Button type="primary" onClick={() => navigate(portal ? '/portal/cis' : '/cmdb')}>
            {t('cmdb.backToList')}
          </Button>
        }
      />
    ) : (
      <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />
    );
  }

  const type = types.data?.find((x) => x.id === ci.typeId);
  const defs = type?.attributes ?? [];
  const others = Object.keys(ci.attributes).filter((k) => !defs.some((d) => d.key === k));
  const canWrite = ci.canWrite && !portal;
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: [CIS] });
  };

  const retire = () => {
    let note = '';
    modal.confirm({
      title: t('cmdb.retire.title', { code: ci.code }),
      content: (
        <div>
          <Typography.Paragraph>{t('cmdb.retire.text')}</Typography.Paragraph>
          <Input.TextArea placeholder={t('cmdb.retire.note')} maxLength={500} onChange={(e) => (note = e.target.value)} data-testid="ci-retire-note" />
        </div>
      ),
      okText: t('cmdb.retire.ok'),
      okButtonProps: { danger: true, 'data-testid': 'ci-retire-confirm' },
      onOk: async () => {
        try {
          const next = await api.post<Ci>(`${CIS}/${ci.id}/retire`, { version: ci.version, note: note.trim() || null });
          qc.setQueryData([CIS, 'one', ci.id], next);
          refresh();
          message.success(t('cmdb.retire.done'));
        } catch (e) {
          message.error(errorText(e));
          throw e;
        }
      },
    });
  };

  const remove = () =>
    modal.confirm({
      title: t('cmdb.delete.title', { code: ci.code }),
      content: t('cmdb.delete.text'),
      okText: t('common.delete'),
      okButtonProps: { danger: true, 'data-testid': 'ci-delete-confirm' },
      onOk: async () => {
        try {
          await api.del(`${CIS}/${ci.id}`);
          refresh();
          message.success(t('cmdb.delete.done', { code: ci.code }));
          navigate('/cmdb');
        } catch (e) {
          if (isApiError(e) && e.status === 409) {
            // still named by tickets, relationships, assets…: the server says what; retire instead
            modal.warning({
              title: t('cmdb.delete.refused'),
              content: <span data-testid="ci-delete-refused">{errorText(e)}</span>,
              okText: ci.status === 'retired' ? t('common.close') : t('cmdb.delete.retireInstead'),
              okButtonProps: { 'data-testid': 'ci-retire-instead' },
              closable: true,
              onOk: () => {
                if (ci.status !== 'retired') retire();
              },
            });
            return;
          }
          message.error(errorText(e));
          throw e;
        }
      },
    });

  const base = [
    { key: 'type', label: t('cmdb.col.type'), children: ci.typeName },
    ...(portal ? [] : [{ key: 'customer', label: t('cmdb.col.customer'), children: <span data-testid="ci-customer">{ci.customerName}</span> }]),
    { key: 'site', label: t('cmdb.col.site'), children: ci.siteName ?? '—' },
    { key: 'owner', label: t('cmdb.col.owner'), children: <span data-testid="ci-owner">{ci.ownerName ?? '—'}</span> },
    { key: 'model', label: t('cmdb.field.brandModel'), children: [ci.brand, ci.model].filter(Boolean).join(' ') || '—' },
    { key: 'serial', label: t('cmdb.field.serial'), children: ci.serial ?? '—' },
    { key: 'ip', label: t('cmdb.field.ip'), children: <span data-testid="ci-ip">{ci.ip ?? '—'}</span> },
    { key: 'hostname', label: t('cmdb.field.hostname'), children: ci.hostname ?? '—' },
    ...(ci.addresses.length > 1 ? [{ key: 'addresses', label: t('cmdb.field.addresses'), children: <AttributeValueView value={ci.addresses} /> }] : []),
    { key: 'updated', label: t('cmdb.field.updatedAt'), children: fmtDateTime(ci.updatedAt) },
  ];

  const rel = related.data;
  const count = (n: number | undefined, more = false) => (n ? <Tag style={{ marginInlineStart: 6 }}>{more ? `${n}+` : n}</Tag> : null);

  return (
    <div data-testid="page-ci" className="yw-ci-page">
      <PageHeader
        onBack={() => (window.history.length > 1 ? navigate(-1) : navigate(portal ? '/portal/cis' : '/cmdb'))}
        title={
          <span>
            <span data-testid="ci-code">{ci.code}</span>
            <Typography.Text style={{ fontWeight: 400, marginInlineStart: 8 }} data-testid="ci-name">
              {ci.name}
            </Typography.Text>
          </span>
        }
        tags={
          <>
            <Tag data-testid="ci-type">{ci.typeName}</Tag>
            <CiStatusTag status={ci.status} />
            <CriticalityTag value={ci.criticality} />
          </>
        }
        subtitle={
          <span data-testid="ci-subtitle">
            {[portal ? null : ci.customerName, ci.siteName, ci.ownerName ? t('cmdb.ownerIs', { name: ci.ownerName }) : null].filter(Boolean).join(' · ')}
          </span>
        }
        extra={
          canWrite ? (
            <>
              <Button type="primary" icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="ci-edit">
                {t('common.edit')}
              </Button>
              {ci.status !== 'retired' && (
                <Button icon={<StopOutlined />} onClick={retire} data-testid="ci-retire">
                  {t('cmdb.retire.ok')}
                </Button>
              )}
              <Button danger icon={<DeleteOutlined />} onClick={remove} data-testid="ci-delete">
                {mobile ? null : t('common.delete')}
              </Button>
            </>
          ) : undefined
        }
      />
      {ci.status === 'retired' && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('cmdb.retiredBanner')} data-testid="ci-retired" />}
      <Flex vertical={mobile} gap={16} align="stretch" style={{ marginBottom: 16 }}>
        <Card size="small" title={t('cmdb.basics')} style={{ flex: 1, minWidth: 0 }} data-testid="ci-basics">
          <Descriptions size="small" column={mobile ? 1 : 2} items={base} styles={{ label: { whiteSpace: 'nowrap' } }} />
          {ci.description && <div className="yw-ci-description">{ci.description}</div>}
        </Card>
        <Card size="small" title={t('cmdb.attributesOf', { type: ci.typeName })} style={{ flex: 1, minWidth: 0 }} data-testid="ci-attributes">
          {defs.length === 0 && others.length === 0 ? (
            <Typography.Text type="secondary">{t('cmdb.noAttributes')}</Typography.Text>
          ) : (
            <Descriptions
              size="small"
              column={mobile ? 1 : 2}
              styles={{ label: { whiteSpace: 'nowrap' } }}
              items={[
                ...defs.map((d) => ({
                  key: d.key,
                  label: attrLabel(d, locale),
                  children: (
                    <span data-testid={`ci-attr-${d.key}`}>
                      <AttributeValueView def={d} value={ci.attributes[d.key]} />
                    </span>
                  ),
                })),
                ...others.map((k) => ({
                  key: k,
                  label: (
                    <span title={t('cmdb.otherAttribute')}>
                      {k} <Tag style={{ fontSize: 11 }}>{t('cmdb.other')}</Tag>
                    </span>
                  ),
                  children: <AttributeValueView value={ci.attributes[k]} />,
                })),
              ]}
            />
          )}
        </Card>
      </Flex>
      <Card size="small" styles={{ body: { paddingTop: 0 } }}>
        <Tabs
          activeKey={tab}
          onChange={setTab}
          destroyOnHidden
          items={[
            { key: 'relations', label: <span data-testid="ci-tab-relations">{t('cmdb.tab.relations')}{count(rel?.relations)}</span>, children: <RelationsTab ci={ci} portal={portal} canWrite={canWrite} /> },
            { key: 'impact', label: <span data-testid="ci-tab-impact">{t('cmdb.tab.impact')}</span>, children: <ImpactTab ci={ci} portal={portal} /> },
            { key: 'tickets', label: <span data-testid="ci-tab-tickets">{t('cmdb.tab.tickets')}{count(rel?.tickets.length, rel?.moreTickets)}</span>, children: <RelatedTickets related={related} portal={portal} /> },
            { key: 'reports', label: <span data-testid="ci-tab-reports">{t('cmdb.tab.reports')}{count(rel?.repairReports.length)}</span>, children: <RelatedRepairReports related={related} portal={portal} /> },
            ...(portal
              ? []
              : [
                  { key: 'repairs', label: <span data-testid="ci-tab-repairs">{t('cmdb.tab.repairs')}{count(rel?.repairOrders.length)}</span>, children: <RelatedRepairOrders related={related} /> },
                  { key: 'parts', label: <span data-testid="ci-tab-parts">{t('cmdb.tab.parts')}{count(rel?.partMovements.length)}</span>, children: <RelatedPartMovements related={related} /> },
                ]),
            { key: 'history', label: <span data-testid="ci-tab-history">{t('cmdb.tab.history')}</span>, children: <HistoryTab ci={ci} defs={defs} /> },
          ]}
        />
      </Card>
      {canWrite && <CiEditDrawer open={editing} onClose={() => setEditing(false)} ci={ci} onSaved={() => void related.refetch()} />}
    </div>
  );
}
