import './tickets.css';
import { useMemo, useSyncExternalStore } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Tag, Tooltip, Typography } from 'antd';
import { api } from '../../api/client';
import type { PriorityMatrix, SlaTemplate, Ticket, TicketKind, TicketSlaStatus, TicketState } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { useCan } from '../../auth/session';

// ---------------------------------------------------------------------------
// Query keys and fetchers

export const TICKETS = '/tickets';
export const ticketKey = (id: number | string) => [TICKETS, 'one', Number(id)] as const;

export function useTicket(id: number | string | undefined) {
  return useQuery({
    queryKey: ticketKey(id ?? 0),
    queryFn: ({ signal }) => api.get<Ticket>(`/tickets/${id}`, undefined, { signal }),
    enabled: id !== undefined && /^\d+$/.test(String(id)),
    staleTime: 0,
    retry: false,
  });
}

/**
 * Whether the server offers an endpoint, read from its OpenAPI document (for endpoints other
 * engineers add later: escalate, rating, complaint). Unknown until the document is loaded.
 */
export function useApiHasPath(path: string, method: 'get' | 'post' = 'post'): boolean {
  const doc = useQuery({
    queryKey: ['/api/openapi.json'],
    queryFn: () => api.get<{ paths?: Record<string, Record<string, unknown>> }>('/api/openapi.json'),
    staleTime: Infinity,
    retry: false,
  });
  const full = path.startsWith('/api/') ? path : `/api/v1${path}`;
  return !!doc.data?.paths?.[full]?.[method];
}

// ---------------------------------------------------------------------------
// Time: one shared ticker for every countdown on the page

let nowValue = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(fn: () => void) {
  listeners.add(fn);
  if (!timer) {
    nowValue = Date.now();
    timer = setInterval(() => {
      nowValue = Date.now();
      listeners.forEach((l) => l());
    }, 1000);
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The current time, re-rendering every second. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => nowValue, () => nowValue);
}

/** `1小时12分`, `2天3小时`, `12分05秒` (under an hour, seconds tick), `25分` (coarse). */
export function useDuration() {
  const { t } = useI18n();
  return (ms: number, withSeconds = true): string => {
    const total = Math.max(0, Math.floor(Math.abs(ms) / 1000));
    const d = Math.floor(total / 86400);
    const h = Math.floor((total % 86400) / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (d > 0) return t('tickets.dur.dh', { d, h });
    if (h > 0) return t('tickets.dur.hm', { h, m });
    if (withSeconds) return t('tickets.dur.ms', { m, s: String(s).padStart(2, '0') });
    return t('tickets.dur.m', { m: Math.max(m, 0) });
  };
}

export const SLA_COLORS = { warning: '#d48806', breached: '#cf1322', paused: '#8c8c8c', met: '#389e0d' } as const;

/**
 * The queue's countdown of a ticket: the earliest due instant of its counting clocks, live.
 * Amber when a clock passed a warning threshold, red once breached; paused clocks say why.
 */
export function SlaCountdown({
  dueAt,
  status,
  state,
  testid = 'ticket-sla-countdown',
}: {
  dueAt: string | null;
  status: TicketSlaStatus;
  state: TicketState;
  testid?: string;
}) {
  const { t, fmtDateTime } = useI18n();
  const now = useNow();
  const dur = useDuration();
  if (status === 'paused' || (!dueAt && (state === 'waiting_customer' || state === 'waiting_vendor') && status !== 'none')) {
    return (
      <Typography.Text style={{ color: SLA_COLORS.paused }} data-testid={testid} data-sla-status="paused">
        {pausedText(t, state)}
      </Typography.Text>
    );
  }
  if (!dueAt) {
    return (
      <Typography.Text type="secondary" data-testid={testid} data-sla-status={status}>
        {status === 'breached' ? t('tickets.sla.breachedShort') : '—'}
      </Typography.Text>
    );
  }
  const diff = new Date(dueAt).getTime() - now;
  const overdue = diff < 0;
  const color = overdue || status === 'breached' ? SLA_COLORS.breached : status === 'warning' ? SLA_COLORS.warning : undefined;
  const text = overdue ? t('tickets.sla.overdue', { d: dur(diff, false) }) : t('tickets.sla.remaining', { d: dur(diff) });
  return (
    <Tooltip title={t('tickets.sla.dueAt', { at: fmtDateTime(dueAt) })}>
      <Typography.Text
        style={{ color, fontWeight: color ? 500 : undefined, whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}
        data-testid={testid}
        data-sla-status={overdue ? 'breached' : status}
      >
        {text}
      </Typography.Text>
    </Tooltip>
  );
}

export function pausedText(t: (k: MessageKey, v?: Record<string, string | number>) => string, reason: string | null | undefined): string {
  if (reason === 'waiting_customer') return t('tickets.sla.pausedCustomer');
  if (reason === 'waiting_vendor') return t('tickets.sla.pausedVendor');
  return t('tickets.sla.paused');
}

// ---------------------------------------------------------------------------
// Tags and labels

const STATE_COLORS: Record<TicketState, string> = {
  new: 'magenta',
  assigned: 'purple',
  accepted: 'geekblue',
  in_progress: 'blue',
  waiting_customer: 'gold',
  waiting_vendor: 'gold',
  resolved: 'green',
  closed: 'default',
  cancelled: 'default',
};

export function StateTag({ state, testid = 'ticket-state' }: { state: TicketState; testid?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={STATE_COLORS[state]} data-testid={testid} data-state={state}>
      {t(`tickets.state.${state}` as MessageKey)}
    </Tag>
  );
}

/** The customer's plain words for where his ticket is (portal). */
export function ProgressTag({ state, testid = 'portal-progress' }: { state: TicketState; testid?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={STATE_COLORS[state]} data-testid={testid} data-state={state}>
      {t(`portal.progress.${state}` as MessageKey)}
    </Tag>
  );
}

export function KindTag({ kind }: { kind: TicketKind }) {
  const { t } = useI18n();
  return <Tag bordered={false}>{t(`tickets.kind.${kind}` as MessageKey)}</Tag>;
}

const RANK_COLORS: Record<number, string> = { 1: 'red', 2: 'orange', 3: 'blue' };

export function PriorityTag({ code, rank, name, testid = 'ticket-priority' }: { code: string; rank: number; name?: string | null; testid?: string }) {
  const names = usePriorityNames();
  const label = name ?? names(code);
  const text = /^P\d+$/.test(code) && label !== code ? `${code} ${label}` : label;
  return (
    <Tag color={RANK_COLORS[rank] ?? 'default'} data-testid={testid} data-priority={code} title={code}>
      {text}
    </Tag>
  );
}

/** The default matrix (a contract without SLA: docs/TICKETS.md). Names follow the server's. */
export const DEFAULT_MATRIX: PriorityMatrix = {
  impacts: [
    { code: 'high', name: '高（大范围或关键业务）' },
    { code: 'medium', name: '中（部门或多人）' },
    { code: 'low', name: '低（个人）' },
  ],
  urgencies: [
    { code: 'high', name: '高（业务中断）' },
    { code: 'medium', name: '中（业务受影响）' },
    { code: 'low', name: '低（可延后）' },
  ],
  levels: [
    { code: 'P1', name: '紧急', rank: 1 },
    { code: 'P2', name: '高', rank: 2 },
    { code: 'P3', name: '中', rank: 3 },
    { code: 'P4', name: '低', rank: 4 },
  ],
  cells: {
    high: { high: 'P1', medium: 'P2', low: 'P3' },
    medium: { high: 'P2', medium: 'P3', low: 'P4' },
    low: { high: 'P3', medium: 'P4', low: 'P4' },
  },
};

/**
 * Priority names for the queues (list items carry only the level's code): the SLA templates'
 * levels and the default matrix; a contract's own renamed levels show on the ticket page.
 */
export function usePriorityNames() {
  const can = useCan();
  const { locale } = useI18n();
  const templates = useQuery({
    queryKey: ['/sla/templates', 'levels'],
    queryFn: () => api.get<SlaTemplate[] | { items: SlaTemplate[] }>('/sla/templates'),
    enabled: can('sla.read'),
    staleTime: 10 * 60_000,
  });
  return useMemo(() => {
    const m = new Map<string, string>();
    if (locale === 'zh-CN') for (const l of DEFAULT_MATRIX.levels) m.set(l.code, l.name);
    const data = templates.data;
    const list = Array.isArray(data) ? data : (data?.items ?? []);
    for (const tpl of list) for (const l of tpl.levels ?? []) if (!m.has(l.code)) m.set(l.code, l.name);
    return (code: string) => m.get(code) ?? code;
  }, [templates.data, locale]);
}

/** A matrix axis value's name: the app's words for the common codes (high/medium/low), else the contract's own name. */
export function useAxisName() {
  const { t } = useI18n();
  return (axis: 'impact' | 'urgency', code: string, serverName?: string | null): string => {
    const key = `sla.axis.${axis}.${code}` as MessageKey;
    const v = t(key);
    if (v !== key) return v;
    return serverName ?? code;
  };
}

/** "中（部门或多人）" → "中": buttons and summaries stay short; the full name goes in a tooltip. */
export function shortAxis(name: string): string {
  const i = name.search(/[（(]/);
  return i > 0 ? name.slice(0, i).trim() : name;
}

export function fmtSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function attachmentUrl(ticketId: number, fileId: number): string {
  return `/api/v1/tickets/${ticketId}/attachments/${fileId}`;
}

/** Is the target of a keyboard event a place where typing goes (then single-key shortcuts stay quiet)? */
export function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable || !!el.closest?.('.ant-select, .ant-picker, [role="dialog"]');
}
