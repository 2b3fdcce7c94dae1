import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { Alert, App, Button, Col, DatePicker, Descriptions, Drawer, Empty, Flex, Form, Input, Radio, Row, Select, Spin, Tag, Typography, type InputRef } from 'antd';
import { PhoneOutlined, SearchOutlined } from '@ant-design/icons';
import { api, applyFieldErrors, asPage, fetchAll, isApiError, type FieldError, type Page } from '../../api/client';
import type { ContactHit, Contract, ContractSlaResponse, Id, PriorityMatrix, Site, Ticket, TicketChannel, TicketKind } from '../../api/types';
import { TICKET_KINDS } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { useCan } from '../../auth/session';
import { useIsMobile } from '../useIsMobile';
import { DEFAULT_MATRIX, PriorityTag, TICKETS, shortAxis, typingIn, useAxisName } from './ticketShared';
import { RemoteSelect } from '../RemoteSelect';
import { KnowledgeSuggestions } from '../../pages/knowledge/KnowledgeSuggestions';
import { CallCiField } from '../../pages/cmdb/TicketCisPanel';

interface CallValues {
  contactId?: Id;
  customerId?: Id;
  /** An unknown caller (modes `new` and `nameOnly`). */
  callerName?: string;
  callerPhone?: string;
  siteId?: Id | null;
  kind: TicketKind;
  title: string;
  description: string;
  impact: string;
  urgency: string;
  reportedAt: Dayjs;
  channel: TicketChannel;
  /** Affected configuration items of the customer (CMDB). */
  ciIds?: Id[];
}

const CHANNELS: TicketChannel[] = ['phone', 'email', 'onsite', 'monitoring'];

/**
 * Who is calling: a contact found by the search (`known`), an unknown caller added as a contact of
 * the customer with the ticket (`new`), or one logged by name and number only (`nameOnly`).
 */
type CallerMode = 'known' | 'new' | 'nameOnly';

/** What the search text was, as the start of an unknown caller's name or number. */
function callerFromText(text: string): { callerName?: string; callerPhone?: string } {
  const v = text.trim();
  if (!v) return {};
  return /^[0-9+\-\s()]+$/.test(v) ? { callerPhone: v } : /^[a-zA-Z\s']+$/.test(v) ? {} : { callerName: v };
}

/** The middle value of an axis, "medium" when the matrix has it (中/中 by default). */
function defaultLevel(values: { code: string }[]): string | undefined {
  return values.find((v) => v.code === 'medium')?.code ?? values[Math.floor((values.length - 1) / 2)]?.code;
}

/** The customer's contract in force on a date (the latest started), as the server picks it. */
export function contractInForce(contracts: Contract[], date: string): Contract | null {
  return (
    contracts
      .filter((c) => c.startsOn <= date && date <= c.endsOn)
      .sort((a, b) => b.startsOn.localeCompare(a.startsOn) || b.id - a.id)[0] ?? null
  );
}

/** Finds a contact by name or phone, as the caller says it (GET /contacts/search, debounced). */
function ContactSearch({
  value,
  onChange,
  onPick,
  onUnknown,
  id,
}: {
  value?: Id;
  onChange?: (v: Id | undefined) => void;
  onPick: (hit: ContactHit | null) => void;
  /** The caller is not among the contacts: on with the text typed so far. */
  onUnknown: (mode: 'new' | 'nameOnly', text: string) => void;
  id?: string;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<ContactHit | null>(null);
  useEffect(() => {
    const h = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(h);
  }, [text]);
  const search = useQuery({
    queryKey: ['/contacts/search', q],
    queryFn: ({ signal }) => api.get<Page<ContactHit> | ContactHit[]>('/contacts/search', { q }, { signal }).then((d) => asPage(d).items),
    enabled: q.length > 0,
    staleTime: 30_000,
  });
  const hits = useMemo(() => {
    const list = q ? (search.data ?? []) : [];
    return picked && !list.some((h) => h.id === picked.id) ? [picked, ...list] : list;
  }, [search.data, q, picked]);
  return (
    <Select<Id>
      id={id}
      value={value}
      size="large"
      autoFocus
      placeholder={t('tickets.call.searchPlaceholder')}
      suffixIcon={<SearchOutlined />}
      showSearch={{ onSearch: setText, filterOption: false }}
      onOpenChange={(o) => !o && setText('')}
      defaultActiveFirstOption
      notFoundContent={
        search.isFetching ? (
          <Spin size="small" />
        ) : q ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tickets.call.noContact')} data-testid="call-no-contact">
            <Flex gap={8} justify="center" wrap>
              <Button size="small" type="primary" onMouseDown={(e) => e.preventDefault()} onClick={() => onUnknown('new', q)} data-testid="call-unknown-new">
                {t('desk.call.newContact')}
              </Button>
              <Button size="small" onMouseDown={(e) => e.preventDefault()} onClick={() => onUnknown('nameOnly', q)} data-testid="call-unknown-name-only">
                {t('desk.call.nameOnly')}
              </Button>
            </Flex>
          </Empty>
        ) : (
          t('tickets.call.typeToSearch')
        )
      }
      onChange={(v) => {
        const hit = hits.find((h) => h.id === v) ?? null;
        setPicked(hit);
        onChange?.(v);
        onPick(hit);
      }}
      options={hits.map((h) => ({
        value: h.id,
        label: `${h.name} · ${h.customerName}`,
        hit: h,
      }))}
      optionRender={(o) => {
        const h = (o.data as { hit: ContactHit }).hit;
        return (
          <Flex vertical data-testid="call-search-option">
            <span>
              <Typography.Text strong>{h.name}</Typography.Text>
              {h.isVip && (
                <Tag color="gold" style={{ marginInlineStart: 6 }}>
                  VIP
                </Tag>
              )}
              <Typography.Text type="secondary"> {h.title ?? ''}</Typography.Text>
              {h.matched !== 'name' && h.matched !== 'phone' && (
                <Tag style={{ marginInlineStart: 6 }} data-testid="call-search-matched">
                  {t(`desk.matched.${h.matched}` as MessageKey)}
                </Tag>
              )}
            </span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {h.customerName}
              {h.siteName ? ` · ${h.siteName}` : ''}
              {h.mobile ? ` · ${h.mobile}` : ''}
              {h.phone ? ` · ${h.phone}` : ''}
            </Typography.Text>
          </Flex>
        );
      }}
      style={{ width: '100%' }}
      data-testid="call-search"
    />
  );
}

/**
 * "登记来电": the desk logs a phone call while the caller is on the line. One search box finds
 * the contact by name or phone and fills customer, contact, site and phone; the contract's
 * matrix shows the priority impact × urgency give. Ctrl+Enter submits; on success the new
 * ticket opens. Server field errors land on the fields; typed text stays.
 */
export function LogCallDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, errorText, fmtDate } = useI18n();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const mobile = useIsMobile();
  const can = useCan();
  const axisName = useAxisName();
  const [form] = Form.useForm<CallValues>();
  const [hit, setHit] = useState<ContactHit | null>(null);
  const [mode, setMode] = useState<CallerMode>('known');
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<{ text: string; unmatched: FieldError[] } | null>(null);
  const titleRef = useRef<InputRef>(null);
  // A knowledge article chosen from the suggestions: sent to the caller as the first reply once the ticket is saved.
  const [solution, setSolution] = useState<number | null>(null);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({ reportedAt: dayjs().second(0).millisecond(0) });
    setHit(null);
    setMode('known');
    setProblem(null);
    setSolution(null);
  }, [open, form]);

  const customerId = Form.useWatch('customerId', form);
  const callTitle = Form.useWatch('title', form) as string | undefined;
  const callDescription = Form.useWatch('description', form) as string | undefined;
  const reportedAt = Form.useWatch('reportedAt', form) as Dayjs | undefined;
  const impact = Form.useWatch('impact', form);
  const urgency = Form.useWatch('urgency', form);

  const contracts = useQuery({
    queryKey: ['/contracts', 'of', customerId],
    queryFn: () => fetchAll<Contract>(`/customers/${customerId}/contracts`),
    enabled: !!customerId && can('contracts.read'),
    staleTime: 5 * 60_000,
  });
  const day = (reportedAt && reportedAt.isValid() ? reportedAt : dayjs()).format('YYYY-MM-DD');
  const contract = useMemo(() => contractInForce(contracts.data ?? [], day), [contracts.data, day]);
  const sla = useQuery({
    queryKey: ['/contracts', contract?.id, 'sla'],
    queryFn: () => api.get<ContractSlaResponse>(`/contracts/${contract!.id}/sla`),
    enabled: !!contract && can('sla.read'),
    staleTime: 5 * 60_000,
  });
  const matrixKnown = !!contract && sla.isSuccess;
  const matrix: PriorityMatrix = sla.data?.sla?.matrix ?? DEFAULT_MATRIX;
  const sites = useQuery({
    queryKey: ['/sites', 'of', customerId],
    queryFn: () => fetchAll<Site>(`/customers/${customerId}/sites`),
    enabled: !!customerId && can('customers.read'),
    staleTime: 5 * 60_000,
  });

  // Keep impact and urgency on codes the contract's matrix knows (中/中 by default).
  useEffect(() => {
    if (!open) return;
    const patch: Partial<CallValues> = {};
    if (!matrix.impacts.some((v) => v.code === form.getFieldValue('impact'))) patch.impact = defaultLevel(matrix.impacts);
    if (!matrix.urgencies.some((v) => v.code === form.getFieldValue('urgency'))) patch.urgency = defaultLevel(matrix.urgencies);
    if (Object.keys(patch).length) form.setFieldsValue(patch);
  }, [matrix, open, form]);

  const levelCode = impact && urgency ? matrix.cells[impact]?.[urgency] : undefined;
  const level = matrix.levels.find((l) => l.code === levelCode);

  const pick = (h: ContactHit | null) => {
    setHit(h);
    if (!h) return;
    form.setFieldsValue({ customerId: h.customerId, siteId: h.siteId ?? null });
    form.setFields([
      { name: 'contactId', errors: [] },
      { name: 'customerId', errors: [] },
    ]);
    // the caller is known: on to what happened
    setTimeout(() => titleRef.current?.focus(), 50);
  };

  /** The caller is not a contact: a form for his name and number (and customer), from what was typed. */
  const unknown = (m: 'new' | 'nameOnly', text: string) => {
    setMode(m);
    setHit(null);
    form.setFieldsValue({ contactId: undefined, ...callerFromText(text) });
    form.setFields([{ name: 'contactId', errors: [] }]);
  };
  const backToSearch = () => {
    setMode('known');
    form.setFieldsValue({ callerName: undefined, callerPhone: undefined });
  };

  const submit = async (v: CallValues) => {
    setSubmitting(true);
    setProblem(null);
    const caller =
      mode === 'known'
        ? { contactId: v.contactId }
        : mode === 'new'
          ? { newContact: { name: v.callerName, phone: v.callerPhone || null } }
          : { callerName: v.callerName, callerPhone: v.callerPhone || null };
    try {
      const created = await api.post<Ticket>('/tickets', {
        customerId: v.customerId,
        ...caller,
        kind: v.kind,
        title: v.title,
        description: v.description,
        impact: v.impact,
        urgency: v.urgency,
        reportedAt: v.reportedAt.format(),
        siteId: v.siteId ?? null,
        channel: v.channel,
        ciIds: v.ciIds?.length ? v.ciIds : undefined,
      });
      void qc.invalidateQueries({ queryKey: [TICKETS] });
      qc.setQueryData([TICKETS, 'one', created.id], created);
      if (solution !== null) await api.post(`/tickets/${created.id}/knowledge/send`, { articleId: solution }).catch((e: unknown) => message.error(errorText(e)));
      message.success({ content: t('tickets.call.created', { number: created.number }), key: 'call-created' });
      onClose();
      navigate(`/tickets/${created.id}`, { state: { created: created.number } });
    } catch (e) {
      const unmatched = applyFieldErrors(form, e);
      const hasFieldErrors = isApiError(e) && e.errors.length > unmatched.length;
      const text = errorText(e);
      setProblem({ text: hasFieldErrors ? `${text} ${t('common.unsavedHint')}` : text, unmatched });
    } finally {
      setSubmitting(false);
    }
  };

  const tryClose = () => {
    if (submitting) return;
    if (form.isFieldsTouched()) {
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

  const phone = hit ? [hit.mobile, hit.phone].filter(Boolean) : [];

  return (
    <Drawer
      open={open}
      title={
        <span>
          <PhoneOutlined /> {t('workspace.logCall')}
        </span>
      }
      onClose={tryClose}
      size={mobile ? '100%' : 640}
      maskClosable={false}
      destroyOnHidden={false}
      data-testid="call-drawer"
      footer={
        <Flex justify="space-between" align="center" gap={8}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {!mobile && t('tickets.call.submitHint')}
          </Typography.Text>
          <Flex gap={8}>
            <Button onClick={tryClose} data-testid="call-form-cancel">
              {t('common.cancel')}
            </Button>
            <Button type="primary" loading={submitting} onClick={() => form.submit()} data-testid="call-form-submit">
              {t('tickets.call.submit')}
            </Button>
          </Flex>
        </Flex>
      }
    >
      {problem && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="call-form-error"
          title={problem.text}
          description={
            problem.unmatched.length > 0 ? (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {problem.unmatched.map((u, i) => (
                  <li key={i}>{u.message}</li>
                ))}
              </ul>
            ) : undefined
          }
        />
      )}
      <Form<CallValues>
        form={form}
        layout="vertical"
        initialValues={{ kind: 'incident', channel: 'phone', impact: 'medium', urgency: 'medium', siteId: null }}
        onFinish={submit}
        scrollToFirstError
        data-testid="call-form"
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            form.submit();
          }
        }}
      >
        {mode === 'known' ? (
          <>
            <Form.Item
              name="contactId"
              label={t('tickets.call.caller')}
              rules={[{ required: true, message: t('tickets.call.pickContact') }]}
              extra={
                !hit ? (
                  <span>
                    {t('tickets.call.searchHelp')}{' '}
                    <Typography.Link onClick={() => unknown('new', '')} data-testid="call-unknown-link">
                      {t('desk.call.notAContact')}
                    </Typography.Link>
                  </span>
                ) : undefined
              }
            >
              <ContactSearch onPick={pick} onUnknown={unknown} />
            </Form.Item>
            <Form.Item name="customerId" hidden rules={[{ required: true, message: t('tickets.call.pickContact') }]}>
              <Input />
            </Form.Item>
          </>
        ) : (
          <div data-testid="call-unknown">
            <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
              <Radio.Group
                optionType="button"
                size="small"
                value={mode}
                onChange={(e) => setMode(e.target.value as CallerMode)}
                options={[
                  { value: 'new', label: <span data-testid="call-mode-new">{t('desk.call.newContact')}</span> },
                  { value: 'nameOnly', label: <span data-testid="call-mode-name-only">{t('desk.call.nameOnly')}</span> },
                ]}
              />
              <Typography.Link onClick={backToSearch} data-testid="call-back-to-search">
                <SearchOutlined /> {t('desk.call.backToSearch')}
              </Typography.Link>
            </Flex>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
              {mode === 'new' ? t('desk.call.newContactHelp') : t('desk.call.nameOnlyHelp')}
            </Typography.Paragraph>
            <Form.Item name="customerId" label={t('tickets.customer')} rules={[{ required: true, message: t('common.required', { field: t('tickets.customer') }) }]}>
              <RemoteSelect resource="customers" testid="call-customer-select" placeholder={t('desk.call.customerPlaceholder')} />
            </Form.Item>
            <Row gutter={12}>
              <Col xs={24} sm={12}>
                <Form.Item name="callerName" label={t('desk.call.callerName')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('desk.call.callerName') }) }, { max: 100 }]}>
                  <Input maxLength={100} data-testid="call-caller-name" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item
                  name="callerPhone"
                  label={t('desk.call.callerPhone')}
                  rules={[{ pattern: /^[0-9+\- ]{5,20}$/, message: t('desk.call.phoneFormat') }]}
                >
                  <Input maxLength={20} inputMode="tel" data-testid="call-caller-phone" />
                </Form.Item>
              </Col>
            </Row>
          </div>
        )}
        {hit && (
          <Descriptions
            size="small"
            column={mobile ? 1 : 2}
            bordered
            style={{ marginBottom: 16 }}
            styles={{ label: { whiteSpace: 'nowrap' } }}
            data-testid="call-caller"
            items={[
              { key: 'customer', label: t('tickets.customer'), children: <span data-testid="call-customer">{hit.customerName}</span> },
              {
                key: 'contact',
                label: t('tickets.contact'),
                children: (
                  <span data-testid="call-contact">
                    {hit.name}
                    {hit.isVip && (
                      <Tag color="gold" style={{ marginInlineStart: 6 }}>
                        VIP
                      </Tag>
                    )}
                  </span>
                ),
              },
              {
                key: 'phone',
                label: t('contacts.phone'),
                children: (
                  <span data-testid="call-phone">
                    {phone.length
                      ? phone.map((p, i) => (
                          <span key={p}>
                            {i > 0 && ' / '}
                            <a href={`tel:${p!.replace(/[\s-]/g, '')}`}>{p}</a>
                          </span>
                        ))
                      : '—'}
                  </span>
                ),
              },
              {
                key: 'contract',
                label: t('tickets.contract'),
                children: (
                  <span data-testid="call-contract">
                    {contracts.isFetching ? <Spin size="small" /> : contract ? contract.name : <Typography.Text type="warning">{t('tickets.call.noContract', { date: fmtDate(day) })}</Typography.Text>}
                  </span>
                ),
              },
            ]}
          />
        )}
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="siteId" label={t('tickets.site')} extra={mode === 'new' ? t('desk.call.siteOfContact') : undefined}>
              <Select
                allowClear
                disabled={!customerId}
                placeholder={customerId ? t('tickets.call.sitePlaceholder') : t('tickets.call.pickContactFirst')}
                loading={sites.isFetching}
                // Until the customer's sites arrive, the contact's own site shows by its name (not its id).
                options={sites.data ? sites.data.map((s) => ({ value: s.id, label: s.name })) : hit?.siteId != null && hit.siteName ? [{ value: hit.siteId, label: hit.siteName }] : []}
                showSearch={{ optionFilterProp: 'label' }}
                data-testid="call-site"
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="kind" label={t('tickets.kind')}>
              <Radio.Group optionType="button" buttonStyle="solid" size="middle">
                {TICKET_KINDS.map((k) => (
                  <Radio.Button key={k} value={k}>
                    <span data-testid={`call-kind-${k}`}>{t(`tickets.kind.${k}` as MessageKey)}</span>
                  </Radio.Button>
                ))}
              </Radio.Group>
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="title" label={t('tickets.title')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('tickets.title') }) }, { max: 200 }]}>
          <Input ref={titleRef} maxLength={200} placeholder={t('tickets.call.titlePlaceholder')} data-testid="call-title" />
        </Form.Item>
        <Form.Item
          name="description"
          label={t('tickets.description')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('tickets.description') }) }]}
        >
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} placeholder={t('tickets.call.descriptionPlaceholder')} data-testid="call-description" />
        </Form.Item>
        {can('knowledge.read') && <KnowledgeSuggestions text={`${callTitle ?? ''} ${callDescription ?? ''}`} customerId={customerId} chosen={solution} onChoose={setSolution} />}
        <CallCiField customerId={customerId} />
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="impact" label={t('tickets.impact')}>
              <Radio.Group optionType="button" size="middle">
                {matrix.impacts.map((v) => (
                  <Radio.Button key={v.code} value={v.code} title={axisName('impact', v.code, v.name)}>
                    <span data-testid={`call-impact-${v.code}`}>{shortAxis(axisName('impact', v.code, v.name))}</span>
                  </Radio.Button>
                ))}
              </Radio.Group>
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="urgency" label={t('tickets.urgency')}>
              <Radio.Group optionType="button" size="middle">
                {matrix.urgencies.map((v) => (
                  <Radio.Button key={v.code} value={v.code} title={axisName('urgency', v.code, v.name)}>
                    <span data-testid={`call-urgency-${v.code}`}>{shortAxis(axisName('urgency', v.code, v.name))}</span>
                  </Radio.Button>
                ))}
              </Radio.Group>
            </Form.Item>
          </Col>
        </Row>
        {matrixKnown && (
          <Flex align="center" gap={8} style={{ marginTop: -8, marginBottom: 16 }} data-testid="call-priority-row">
            <Typography.Text type="secondary">{t('tickets.call.resultingPriority')}</Typography.Text>
            {level ? <PriorityTag code={level.code} rank={level.rank} name={level.name} testid="call-priority" /> : <Typography.Text type="secondary">—</Typography.Text>}
          </Flex>
        )}
        <Row gutter={12}>
          <Col xs={24} sm={14}>
            <Form.Item
              name="reportedAt"
              label={t('tickets.reportedAt')}
              extra={t('tickets.call.reportedAtHelp')}
              rules={[{ required: true, message: t('common.required', { field: t('tickets.reportedAt') }) }]}
            >
              <DatePicker
                showTime={{ format: 'HH:mm' }}
                format={(d) => d.format(t('tickets.call.dateTimeFormat'))}
                allowClear={false}
                disabledDate={(d) => d.isAfter(dayjs().endOf('day'))}
                style={{ width: '100%' }}
                data-testid="call-reported-at"
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={10}>
            <Form.Item name="channel" label={t('tickets.channel')}>
              <Select options={CHANNELS.map((c) => ({ value: c, label: t(`tickets.channel.${c}` as MessageKey) }))} data-testid="call-channel" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Drawer>
  );
}

/** The drawer and its opener; `n` opens it wherever the hook is used (not while typing). */
export function useLogCall() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'n' || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      if (typingIn(e.target) || document.querySelector('.ant-drawer-open')) return;
      e.preventDefault();
      setOpen(true);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return {
    open: () => setOpen(true),
    drawer: <LogCallDrawer open={open} onClose={() => setOpen(false)} />,
  };
}
