import { instantToZoned } from '../../../core/calendar/index.js';

/**
 * The Chinese words of the evidence pack (it is a Chinese document for a Chinese auditor, like
 * the repair report; words per shared/design/GLOSSARY.md and the web app's zh-CN catalogue).
 */
export const NONE = '—';

export const STATE_ZH: Record<string, string> = {
  new: '新建',
  assigned: '已分派',
  accepted: '已受理',
  in_progress: '处理中',
  waiting_customer: '挂起（等待客户）',
  waiting_vendor: '挂起（等待厂商）',
  resolved: '已解决',
  closed: '已关闭',
  cancelled: '已取消',
};
export const KIND_ZH: Record<string, string> = { incident: '事件', request: '服务请求', consultation: '咨询', complaint: '投诉' };
export const CHANNEL_ZH: Record<string, string> = { phone: '电话', portal: '客户门户', email: '邮件', api: 'API', monitoring: '监控告警', onsite: '现场' };
export const LEVEL_ZH: Record<string, string> = { critical: '极高', high: '高', medium: '中', low: '低' };
export const KB_KIND_ZH: Record<string, string> = { solution: '解决方案', howto: '操作指南', faq: '常见问题', known_error: '已知错误', document: '文档' };
export const KB_CHANGE_ZH: Record<string, string> = { created: '新建', edited: '修改', restored: '恢复旧版本', from_ticket: '由工单转为知识' };
export const METRIC_ZH: Record<string, string> = { response: '响应', diagnosis: '诊断', onsite: '到场', resolution: '解决' };
const ACTION_ZH: Record<string, string> = {
  assign: '分派',
  accept: '受理',
  decline: '退回',
  diagnose: '诊断',
  start: '开始处理',
  wait_customer: '挂起等待客户',
  wait_vendor: '挂起等待厂商',
  resume: '恢复处理',
  resolve: '解决',
  close: '关闭',
  reopen: '重新打开',
  cancel: '取消',
};
const OLA_ZH: Record<string, string> = { dispatch: '派单', execution_check: '确认执行', redispatch: '重新派单', report_pm: '报告项目经理' };
const VISIT_ZH: Record<string, string> = { departed: '出发', arrived: '到场', left: '离场' };
const WORK_MODE_ZH: Record<string, string> = { phone: '电话', remote: '远程', onsite: '现场' };
const CONSENT_ZH: Record<string, string> = { confirmed: '客户确认', no_objection: '客户逾期未提出异议', provider: '服务方关闭并告知客户' };

export const label = (map: Record<string, string>, code: string | null | undefined) => (code == null ? NONE : (map[code] ?? code));

/** 2026-03-05 14:30 in the customer's zone (the pack states the zone once, on the index and each PDF). */
export function localTime(ms: number | null | undefined, timeZone: string): string {
  if (ms == null) return NONE;
  const { date, time } = instantToZoned(ms, timeZone);
  return `${date} ${time}`;
}

/** "2 小时 30 分钟" for a duration in ms. */
export function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} 分钟`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} 小时 ${m} 分钟` : `${h} 小时`;
}

/** What the SLA says of one metric of one ticket, from the stored clock (never "as of now", so the pack does not change with the clock). */
export interface SlaOutcome {
  metric: string;
  target: string;
  due: number | null;
  /** 达标 | 超时 | 进行中 | 暂停 | 未开始 | 已取消 */
  result: string;
  met: boolean | null;
  at: number | null;
  /** Two-stage targets: the usual target and whether it was reached. */
  goal: string | null;
}

export interface SlaRowLike {
  metric: string;
  target_ms: number;
  state: string;
  due_at: number | null;
  met_at: number | null;
  breached_at: number | null;
  goal_target_ms: number | null;
  goal_state: string | null;
  goal_missed_at: number | null;
}

export function slaOutcome(row: SlaRowLike): SlaOutcome {
  const breached = row.breached_at != null || row.state === 'breached';
  let result: string;
  let met: boolean | null = null;
  let at: number | null = null;
  if (row.state === 'cancelled') result = '已取消';
  else if (breached) {
    result = '超时';
    met = false;
    at = row.breached_at ?? row.due_at;
  } else if (row.state === 'met') {
    result = '达标';
    met = true;
    at = row.met_at;
  } else if (row.state === 'paused') result = '暂停';
  else if (row.state === 'pending') result = '未开始';
  else result = '进行中';
  const goal =
    row.goal_state == null || row.goal_target_ms == null
      ? null
      : `一般时限 ${duration(row.goal_target_ms)}：${row.goal_state === 'met' ? '达成' : row.goal_state === 'missed' || row.goal_missed_at != null ? '未达成' : label(STATE_GOAL_ZH, row.goal_state)}`;
  return { metric: label(METRIC_ZH, row.metric), target: duration(row.target_ms), due: row.due_at, result, met, at, goal };
}
const STATE_GOAL_ZH: Record<string, string> = { running: '进行中', paused: '暂停', pending: '未开始', cancelled: '已取消' };

/** Names the timeline refers to by id. */
export interface Names {
  user(id: number | null | undefined): string;
  team(id: number | null | undefined): string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));

/** One timeline entry in words. Unknown types (a later version's) are shown with their data rather than dropped. */
export function describeEvent(type: string, data: Record<string, any>, names: Names): string {
  switch (type) {
    case 'created':
      return `创建工单（状态：${label(STATE_ZH, data.state)}；优先级 ${data.priority ?? NONE}；影响度 ${label(LEVEL_ZH, data.impact)}；紧急度 ${label(LEVEL_ZH, data.urgency)}；渠道：${label(CHANNEL_ZH, data.channel)}${data.teamId ? `；进入 ${names.team(data.teamId)}` : ''}）`;
    case 'state_changed': {
      const parts = [`${label(ACTION_ZH, data.action)}：${label(STATE_ZH, data.from)} → ${label(STATE_ZH, data.to)}`];
      if (data.reason) parts.push(`原因：${data.reason}`);
      if (data.resolution) parts.push(`处理结果：${data.resolution}`);
      if (data.consent) parts.push(`关闭依据：${label(CONSENT_ZH, data.consent)}`);
      if (data.via === 'auto') parts.push('（系统自动）');
      if (data.emailLink?.name) parts.push(`（${data.emailLink.name} 通过邮件链接）`);
      return parts.join('；');
    }
    case 'assigned': {
      const to = [data.teamId ? names.team(data.teamId) : null, data.assigneeId ? names.user(data.assigneeId) : null].filter(Boolean).join(' / ') || '无人';
      const how = data.rule?.name ? `（派单规则“${data.rule.name}”）` : data.escalation ? `（SLA 升级：${label(METRIC_ZH, data.escalation.metric)}）` : '';
      return `分派给 ${to}${how}`;
    }
    case 'priority_changed':
      return `优先级 ${data.from} → ${data.to}（影响度 ${label(LEVEL_ZH, data.impact)}，紧急度 ${label(LEVEL_ZH, data.urgency)}）`;
    case 'updated':
      return `修改：${Object.keys(data.changes ?? {}).join('、') || NONE}`;
    case 'reply':
      return `回复${data.email?.name ? `（${data.email.name} 邮件）` : ''}：${str(data.body)}`;
    case 'note':
      return `内部备注：${str(data.body)}`;
    case 'worklog':
      return `工作记录 ${data.minutes} 分钟（${label(WORK_MODE_ZH, data.mode)}）${data.note ? `：${data.note}` : ''}`;
    case 'visit':
      return `现场服务：${label(VISIT_ZH, data.event)}${data.result ? `；结果：${data.result}` : ''}`;
    case 'link_added':
      return `关联工单 ${data.number}`;
    case 'link_removed':
      return `取消关联工单 ${data.number}`;
    case 'attachment':
      return `附件：${data.name}（${data.size} 字节）`;
    case 'sla.warning':
      return data.goalMissed ? `SLA ${label(METRIC_ZH, data.metric)}：一般时限未达成` : `SLA 预警：${label(METRIC_ZH, data.metric)}已用 ${data.percent}%`;
    case 'sla.breached':
      return `SLA 超时：${label(METRIC_ZH, data.metric)}`;
    case 'diagnosed':
      return `诊断（${data.remote ? '远程' : '现场'}）：${str(data.result)}`;
    case 'escalated': {
      const what = data.kind === 'hierarchical' ? '管理升级' : '职能升级';
      const to = [data.toTeamId ? names.team(data.toTeamId) : null, data.toUserId ? names.user(data.toUserId) : null, data.vendor ? `厂商 ${data.vendor}` : null, data.toProjectManager ? '项目经理' : null].filter(Boolean).join('、');
      return `${what}${data.trigger === 'sla' ? `（SLA ${label(METRIC_ZH, data.metric)}）` : ''}${to ? ` → ${to}` : ''}${data.reason ? `：${data.reason}` : ''}`;
    }
    case 'ola.breached':
      return `OLA 超时：${label(OLA_ZH, data.target)}`;
    case 'rated':
      return `满意度评价 ${data.score} 分${data.comment ? `：${data.comment}` : ''}`;
    case 'repair_report':
      return `维修服务报告 ${data.number}${data.action === 'drafted' ? ' 已起草' : data.action === 'signed_on_paper' ? ` 纸质签字（${data.signerName ?? NONE}）` : ` 客户签字（${data.signerName ?? NONE}）`}`;
    default:
      return `${type}：${JSON.stringify(data)}`;
  }
}
