/**
 * The permission catalogue and the built-in roles. Roles are rows an administrator edits;
 * these are the defaults `migrate` seeds and the codes the code checks.
 */
export const PERMISSIONS = [
  { code: 'customers.read', group: 'organisation', zh: '查看客户、服务地点和联系人', en: 'View customers, sites and contacts' },
  { code: 'customers.write', group: 'organisation', zh: '维护客户、服务地点和联系人', en: 'Edit customers, sites and contacts' },
  { code: 'contracts.read', group: 'organisation', zh: '查看服务合同', en: 'View contracts' },
  { code: 'contracts.write', group: 'organisation', zh: '维护服务合同', en: 'Edit contracts' },
  { code: 'teams.read', group: 'organisation', zh: '查看团队', en: 'View teams' },
  { code: 'teams.write', group: 'organisation', zh: '维护团队', en: 'Edit teams' },
  { code: 'users.read', group: 'administration', zh: '查看用户', en: 'View users' },
  { code: 'users.write', group: 'administration', zh: '维护用户', en: 'Edit users' },
  { code: 'roles.read', group: 'administration', zh: '查看角色与权限', en: 'View roles and permissions' },
  { code: 'roles.write', group: 'administration', zh: '维护角色与权限', en: 'Edit roles and permissions' },
  { code: 'audit.read', group: 'administration', zh: '查看审计日志', en: 'View the audit log' },
  { code: 'jobs.manage', group: 'administration', zh: '管理后台任务', en: 'Manage background jobs' },
  { code: 'integrations.manage', group: 'administration', zh: '管理集成（Webhook、消息投递记录）', en: 'Manage integrations (webhooks, delivery log)' },
  { code: 'alerts.manage', group: 'administration', zh: '管理监控告警接入（告警源、接收记录）', en: 'Manage monitoring alert intake (alert sources, received alerts)' },
  { code: 'mail.manage', group: 'administration', zh: '管理邮件接入（服务邮箱、收信记录）', en: 'Manage inbound email (service mailboxes, received mail)' },
  { code: 'mail.inbound', group: 'administration', zh: '投递来信（MTA 管道调用 /api/v1/mail/inbound）', en: 'Deliver inbound mail (an MTA pipe calling /api/v1/mail/inbound)' },
  { code: 'calendars.read', group: 'sla', zh: '查看服务日历', en: 'View calendars' },
  { code: 'calendars.write', group: 'sla', zh: '维护服务日历', en: 'Edit calendars' },
  { code: 'sla.read', group: 'sla', zh: '查看 SLA 策略', en: 'View SLA policies' },
  { code: 'sla.write', group: 'sla', zh: '维护 SLA 策略', en: 'Edit SLA policies' },
  { code: 'tickets.read', group: 'tickets', zh: '查看工单', en: 'View tickets' },
  { code: 'tickets.write', group: 'tickets', zh: '处理工单', en: 'Work on tickets' },
  { code: 'tickets.dispatch', group: 'tickets', zh: '派单', en: 'Dispatch tickets' },
  { code: 'dispatch.manage', group: 'tickets', zh: '维护派单规则', en: 'Manage dispatch rules' },
  { code: 'reports.read', group: 'reporting', zh: '查看服务报告与指标看板', en: 'View service reports, KPIs and dashboards' },
  { code: 'reports.write', group: 'reporting', zh: '编写、审核和出具服务报告', en: 'Write, review and issue service reports' },
  { code: 'reports.manage', group: 'reporting', zh: '维护报告模板、信笺和交付规则', en: 'Manage report templates, letterhead and due rules' },
  { code: 'reports.signoff', group: 'reporting', zh: '签收或退回服务报告（客户）', en: 'Sign off or return service reports (customer)' },
  { code: 'evidence.export', group: 'reporting', zh: '导出 ITSS 审计证据包', en: 'Export the ITSS audit evidence pack' },
  { code: 'knowledge.read', group: 'knowledge', zh: '查阅知识库', en: 'Read the knowledge base' },
  { code: 'knowledge.write', group: 'knowledge', zh: '编写和提交知识文章', en: 'Write and submit knowledge articles' },
  { code: 'knowledge.review', group: 'knowledge', zh: '审核、发布和归档知识文章', en: 'Review, publish and archive knowledge articles' },
  { code: 'cmdb.read', group: 'cmdb', zh: '查看配置项、资产与盘点', en: 'View configuration items, assets and verifications' },
  { code: 'cmdb.write', group: 'cmdb', zh: '维护配置项、关系、资产，执行盘点', en: 'Edit configuration items, relationships and assets; carry out verifications' },
  { code: 'cmdb.manage', group: 'cmdb', zh: '维护配置项类型及其属性', en: 'Manage configuration item types and their attributes' },
  { code: 'parts.read', group: 'cmdb', zh: '查看备品备件库存与出入库', en: 'View spare-part stock and movements' },
  { code: 'parts.write', group: 'cmdb', zh: '办理备件入库、领用、退还、调拨与备机借用', en: 'Stock in, requisition, return, transfer and lend spare parts' },
  { code: 'repairs.read', group: 'cmdb', zh: '查看设备送修单与厂商', en: 'View send-for-repair orders and vendors' },
  { code: 'repairs.write', group: 'cmdb', zh: '办理设备送修、填写进展，维护厂商', en: 'Send devices for repair, report progress, edit vendors' },
  { code: 'portal.use', group: 'portal', zh: '使用客户门户', en: 'Use the customer portal' },
  { code: 'scope.all', group: 'scope', zh: '数据范围：全部客户', en: 'Data scope: all customers' },
] as const;

export type Permission = (typeof PERMISSIONS)[number]['code'];
export const PERMISSION_CODES = new Set<string>(PERMISSIONS.map((p) => p.code));

const ALL = PERMISSIONS.map((p) => p.code);
const READ_ALL = ALL.filter((c) => c.endsWith('.read'));

export interface BuiltinRole {
  code: string;
  zh: string;
  en: string;
  permissions: Permission[];
}

/**
 * Built-in roles (REQ §1). Staff roles without `scope.all` see only the customers their teams
 * serve or whose contracts they manage; customer roles see only their own customer.
 */
export const BUILTIN_ROLES: BuiltinRole[] = [
  // Sign-off is the customer's act: no staff role holds it.
  { code: 'admin', zh: '系统管理员', en: 'Administrator', permissions: ALL.filter((c) => c !== 'portal.use' && c !== 'reports.signoff') },
  {
    code: 'desk',
    zh: '服务台',
    en: 'Service desk',
    permissions: ['customers.read', 'customers.write', 'contracts.read', 'teams.read', 'users.read', 'calendars.read', 'sla.read', 'tickets.read', 'tickets.write', 'tickets.dispatch', 'knowledge.read', 'knowledge.write', 'knowledge.review', 'cmdb.read', 'cmdb.write', 'parts.read', 'repairs.read', 'repairs.write', 'scope.all'],
  },
  {
    code: 'engineer',
    zh: '工程师',
    en: 'Engineer',
    permissions: ['customers.read', 'contracts.read', 'teams.read', 'calendars.read', 'sla.read', 'tickets.read', 'tickets.write', 'knowledge.read', 'knowledge.write', 'cmdb.read', 'cmdb.write', 'parts.read', 'parts.write', 'repairs.read', 'repairs.write'],
  },
  {
    code: 'pm',
    zh: '项目经理',
    en: 'Project manager',
    permissions: ['customers.read', 'customers.write', 'contracts.read', 'contracts.write', 'teams.read', 'users.read', 'calendars.read', 'sla.read', 'sla.write', 'tickets.read', 'tickets.write', 'tickets.dispatch', 'reports.read', 'reports.write', 'knowledge.read', 'knowledge.write', 'cmdb.read', 'cmdb.write', 'parts.read', 'parts.write', 'repairs.read', 'repairs.write'],
  },
  // Every customer read-only, plus the quality work done on tickets: complaints, follow-up calls,
  // quality checks (tickets.write). The audit log is the auditor's; roles the administrator's.
  { code: 'quality', zh: '质量管理', en: 'Quality management', permissions: [...READ_ALL.filter((c) => c !== 'roles.read' && c !== 'audit.read'), 'tickets.write', 'reports.write', 'knowledge.review', 'evidence.export', 'scope.all'] as Permission[] },
  { code: 'auditor', zh: '审计员', en: 'Auditor', permissions: [...READ_ALL, 'evidence.export', 'scope.all'] as Permission[] },
  // users.* on a customer user reaches only that customer's users, with customer roles only
  // (modules/accounts applies this in its repo and service).
  {
    code: 'customer_admin',
    zh: '客户管理员',
    en: 'Customer administrator',
    permissions: ['portal.use', 'customers.read', 'customers.write', 'contracts.read', 'users.read', 'users.write', 'tickets.read', 'tickets.write', 'reports.read', 'reports.signoff', 'knowledge.read', 'cmdb.read'],
  },
  { code: 'customer_contact', zh: '客户联系人', en: 'Customer contact', permissions: ['portal.use', 'tickets.read', 'tickets.write', 'knowledge.read', 'cmdb.read'] },
];

/**
 * API token scopes besides permission codes. `*`: every permission of the token's user (not
 * `account`). `account`: the user's own profile, inbox and preferences (routes declaring
 * `self: 'account'`). No scope reaches a user's credentials: those routes are for sessions only.
 */
export const ALL_SCOPE = '*';
export const ACCOUNT_SCOPE = 'account';

/** Whether `scope` names a token scope at all (a permission code, `*` or `account`). */
export function isTokenScope(scope: string): boolean {
  return scope === ALL_SCOPE || scope === ACCOUNT_SCOPE || PERMISSION_CODES.has(scope);
}

/** Roles a customer's own staff may hold; any other role on a customer user is refused. */
export const CUSTOMER_ROLES = new Set(['customer_admin', 'customer_contact']);
