import type { ReactNode } from 'react';
import {
  AlertOutlined,
  ApartmentOutlined,
  DeploymentUnitOutlined,
  ApiOutlined,
  AuditOutlined,
  BranchesOutlined,
  ScheduleOutlined,
  CalendarOutlined,
  DashboardOutlined,
  FieldTimeOutlined,
  IdcardOutlined,
  SafetyCertificateOutlined,
  ShopOutlined,
  TeamOutlined,
  UserOutlined,
  FileTextOutlined,
  GlobalOutlined,
  MailOutlined,
  BookOutlined,
  LineChartOutlined,
  ProjectOutlined,
  FileZipOutlined,
  BarcodeOutlined,
  CarryOutOutlined,
  InboxOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import type { Me } from '../api/types';
import type { MessageKey } from '../i18n';

export interface NavItem {
  path: string;
  label: MessageKey;
  icon: ReactNode;
  /** Permission needed to see the item. */
  perm?: string;
  /** Extra condition on the user. */
  when?: (me: Me) => boolean;
}

export interface NavGroup {
  label: MessageKey;
  items: NavItem[];
}

const internal = (me: Me) => me.customerId == null;

/** The navigation; each item is shown only when the user's permissions allow it. */
export const NAV: (NavItem | NavGroup)[] = [
  { path: '/workspace', label: 'nav.workspace', icon: <DashboardOutlined />, when: internal },
  { path: '/tickets', label: 'nav.tickets', icon: <FileTextOutlined />, perm: 'tickets.read', when: internal },
  { path: '/knowledge', label: 'nav.knowledge', icon: <BookOutlined />, perm: 'knowledge.read', when: internal },
  { path: '/portal', label: 'nav.portal', icon: <GlobalOutlined />, perm: 'portal.use' },
  {
    label: 'nav.cmdbGroup',
    items: [
      { path: '/cmdb', label: 'nav.cmdb', icon: <DeploymentUnitOutlined />, perm: 'cmdb.read', when: internal },
      { path: '/assets', label: 'nav.assets', icon: <BarcodeOutlined />, perm: 'cmdb.read', when: internal },
      { path: '/asset-campaigns', label: 'nav.assetCampaigns', icon: <CarryOutOutlined />, perm: 'cmdb.read', when: internal },
      { path: '/parts', label: 'nav.parts', icon: <InboxOutlined />, perm: 'parts.read', when: internal },
      { path: '/repairs', label: 'nav.repairs', icon: <ToolOutlined />, perm: 'repairs.read', when: internal },
      { path: '/cmdb/types', label: 'nav.ciTypes', icon: <ApartmentOutlined />, perm: 'cmdb.manage', when: internal },
    ],
  },
  {
    label: 'nav.reportingGroup',
    items: [
      { path: '/reporting', label: 'nav.reporting', icon: <LineChartOutlined />, perm: 'reports.read', when: internal },
      { path: '/reporting/contracts', label: 'nav.reportingContracts', icon: <ProjectOutlined />, perm: 'reports.read', when: internal },
      { path: '/reports', label: 'nav.reports', icon: <ScheduleOutlined />, perm: 'reports.read', when: internal },
      { path: '/reporting/evidence', label: 'nav.evidence', icon: <FileZipOutlined />, perm: 'evidence.export', when: internal },
    ],
  },
  {
    label: 'nav.organisation',
    items: [
      { path: '/admin/teams', label: 'nav.teams', icon: <TeamOutlined />, perm: 'teams.read' },
      { path: '/admin/dispatch-rules', label: 'nav.dispatchRules', icon: <BranchesOutlined />, perm: 'dispatch.manage' },
      { path: '/admin/users', label: 'nav.users', icon: <UserOutlined />, perm: 'users.read' },
      { path: '/admin/roles', label: 'nav.roles', icon: <SafetyCertificateOutlined />, perm: 'roles.read' },
    ],
  },
  {
    label: 'nav.customersGroup',
    items: [{ path: '/admin/customers', label: 'nav.customers', icon: <ShopOutlined />, perm: 'customers.read' }],
  },
  {
    label: 'nav.serviceLevel',
    items: [
      { path: '/admin/calendars', label: 'nav.calendars', icon: <CalendarOutlined />, perm: 'calendars.read' },
      { path: '/admin/sla', label: 'nav.sla', icon: <FieldTimeOutlined />, perm: 'sla.read' },
    ],
  },
  {
    label: 'nav.integrations',
    items: [
      { path: '/admin/webhooks', label: 'nav.webhooks', icon: <ApiOutlined />, perm: 'integrations.manage' },
      { path: '/admin/alerts', label: 'nav.alerts', icon: <AlertOutlined />, perm: 'alerts.manage' },
      { path: '/admin/mail-in', label: 'nav.mailIn', icon: <MailOutlined />, perm: 'mail.manage' },
      { path: '/admin/jobs', label: 'nav.jobs', icon: <ScheduleOutlined />, perm: 'jobs.manage' },
    ],
  },
  {
    label: 'nav.system',
    items: [{ path: '/admin/audit', label: 'nav.audit', icon: <AuditOutlined />, perm: 'audit.read' }],
  },
];

export const ACCOUNT_ICON = <IdcardOutlined />;

export function isGroup(x: NavItem | NavGroup): x is NavGroup {
  return 'items' in x;
}

export function navAllowed(item: NavItem, me: Me): boolean {
  return (!item.perm || me.permissions.includes(item.perm)) && (!item.when || item.when(me));
}

/** All items flattened (for "first allowed admin page" and the selected key). */
export function flatNav(): NavItem[] {
  return NAV.flatMap((x) => (isGroup(x) ? x.items : [x]));
}

/** `/admin/customers` → `nav-admin-customers` */
export function navTestId(path: string): string {
  return 'nav-' + path.replace(/^\//, '').replace(/\//g, '-');
}
