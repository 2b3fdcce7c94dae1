import { lazy, type ReactNode } from 'react';
import { Navigate, Outlet, createBrowserRouter, RouterProvider } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, theme } from 'antd';
import { isApiError, setUnauthorizedHandler } from './api/client';
import { I18nProvider, useI18n } from './i18n';
import { RequireAuth, RequirePerm, homePathFor, isCustomerStaff, useCurrentUser } from './auth/session';
import { AppLayout } from './layouts/AppLayout';
import { PortalLayout } from './layouts/PortalLayout';
import { ForbiddenPage, NotFoundPage } from './components/StatusPages';
import { flatNav, navAllowed } from './layouts/nav';
import LoginPage from './pages/LoginPage';

const ConfirmLinkPage = lazy(() => import('./pages/ConfirmLinkPage'));

const WorkspacePage = lazy(() => import('./pages/WorkspacePage'));
const PortalPage = lazy(() => import('./pages/PortalPage'));
const PortalTicketPage = lazy(() => import('./pages/portal/PortalTicketPage'));
const TicketListPage = lazy(() => import('./pages/tickets/TicketListPage'));
const TicketPage = lazy(() => import('./pages/tickets/TicketPage'));
const RepairReportPage = lazy(() => import('./pages/tickets/RepairReportPage'));
const TeamsPage = lazy(() => import('./pages/admin/TeamsPage'));
const UsersPage = lazy(() => import('./pages/admin/UsersPage'));
const RolesPage = lazy(() => import('./pages/admin/RolesPage'));
const CustomersPage = lazy(() => import('./pages/admin/CustomersPage'));
const CustomerDetailPage = lazy(() => import('./pages/admin/CustomerDetailPage'));
const AuditPage = lazy(() => import('./pages/admin/AuditPage'));
const CalendarsPage = lazy(() => import('./pages/admin/CalendarsPage'));
const CalendarDetailPage = lazy(() => import('./pages/admin/CalendarDetailPage'));
const SlaTemplatesPage = lazy(() => import('./pages/admin/SlaTemplatesPage'));
const ContractSlaPage = lazy(() => import('./pages/admin/ContractSlaPage'));
const JobsPage = lazy(() => import('./pages/admin/JobsPage'));
const WebhooksPage = lazy(() => import('./pages/admin/WebhooksPage'));
const AlertSourcesPage = lazy(() => import('./pages/admin/AlertSourcesPage'));
const MailInPage = lazy(() => import('./pages/admin/MailInPage'));
const DispatchRulesPage = lazy(() => import('./pages/admin/DispatchRulesPage'));
const NotificationPrefsPage = lazy(() => import('./pages/account/NotificationPrefsPage'));
const ChangePasswordPage = lazy(() => import('./pages/account/ChangePasswordPage'));
const ApiTokensPage = lazy(() => import('./pages/account/ApiTokensPage'));
const KnowledgeListPage = lazy(() => import('./pages/knowledge/KnowledgeListPage'));
const ArticlePage = lazy(() => import('./pages/knowledge/ArticlePage'));
const ArticleEditorPage = lazy(() => import('./pages/knowledge/ArticleEditorPage'));
const KnowledgeSubmissionsPage = lazy(() => import('./pages/knowledge/SubmissionsPage'));
const PortalKnowledgePage = lazy(() => import('./pages/portal/KnowledgePortalPage'));
const PortalKnowledgeArticlePage = lazy(() => import('./pages/portal/KnowledgePortalArticlePage'));
const DashboardPage = lazy(() => import('./pages/reporting/DashboardPage'));
const ContractsHealthPage = lazy(() => import('./pages/reporting/ContractsHealthPage'));
const EvidencePage = lazy(() => import('./pages/reporting/EvidencePage'));
const ServiceDashboardPage = lazy(() => import('./pages/portal/ServiceDashboardPage'));
const ReportBoardPage = lazy(() => import('./pages/reports/ReportBoardPage'));
const ReportPage = lazy(() => import('./pages/reports/ReportPage'));
const PortalReportsPage = lazy(() => import('./pages/portal/PortalReportsPage'));
const ReportPlanPage = lazy(() => import('./pages/reports/ReportPlanPage'));
const AssetListPage = lazy(() => import('./pages/assets/AssetListPage'));
const AssetPage = lazy(() => import('./pages/assets/AssetPage'));
const CampaignListPage = lazy(() => import('./pages/assets/CampaignListPage'));
const CampaignPage = lazy(() => import('./pages/assets/CampaignPage'));
const CampaignReviewPage = lazy(() => import('./pages/assets/CampaignReviewPage'));
const PartsStockPage = lazy(() => import('./pages/parts/StockPage'));
const PartsMovementsPage = lazy(() => import('./pages/parts/MovementsPage'));
const PartsStandinsPage = lazy(() => import('./pages/parts/StandinsPage'));
const PartModelsPage = lazy(() => import('./pages/parts/ModelsPage'));
const RepairListPage = lazy(() => import('./pages/repairs/RepairListPage'));
const RepairOrderPage = lazy(() => import('./pages/repairs/RepairOrderPage'));
const VendorsPage = lazy(() => import('./pages/repairs/VendorsPage'));
const CiListPage = lazy(() => import('./pages/cmdb/CiListPage'));
const CiPage = lazy(() => import('./pages/cmdb/CiPage'));
const CiTypesPage = lazy(() => import('./pages/cmdb/TypesPage'));
const CiImportPage = lazy(() => import('./pages/cmdb/ImportPage'));

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 20_000,
      refetchOnWindowFocus: false,
      retry: (count, err) => !(isApiError(err) && err.status > 0 && err.status < 500) && count < 2,
    },
  },
});

function HomeRedirect() {
  const me = useCurrentUser();
  return <Navigate to={homePathFor(me)} replace />;
}

/** Customer staff belong in the portal, not the agent workspace. */
function WorkspaceRoute() {
  const me = useCurrentUser();
  if (isCustomerStaff(me)) return <Navigate to="/portal" replace />;
  return <WorkspacePage />;
}

/** /admin → the first administration page the user may use. */
function AdminIndex() {
  const me = useCurrentUser();
  const first = flatNav().find((i) => i.path.startsWith('/admin/') && navAllowed(i, me));
  return first ? <Navigate to={first.path} replace /> : <ForbiddenPage />;
}

/** Account pages and 404s appear in the user's own face: portal for customer staff, else the agent shell. */
function FaceLayout() {
  const me = useCurrentUser();
  return isCustomerStaff(me) ? <PortalLayout /> : <AppLayout />;
}

const guard = (perm: string, el: ReactNode) => <RequirePerm perm={perm}>{el}</RequirePerm>;

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  // The confirmation link of a resolution mail: public, outside the shells (no login).
  { path: '/c/:token', element: <ConfirmLinkPage /> },
  {
    element: (
      <RequireAuth>
        <Outlet />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <HomeRedirect /> },
      {
        path: 'portal',
        element: <PortalLayout />,
        children: [
          { index: true, element: guard('portal.use', <PortalPage />) },
          { path: 'tickets/:id', element: guard('portal.use', <PortalTicketPage />) },
          { path: 'tickets/:id/report', element: guard('portal.use', <RepairReportPage />) },
          { path: 'knowledge', element: guard('knowledge.read', <PortalKnowledgePage />) },
          { path: 'knowledge/:id', element: guard('knowledge.read', <PortalKnowledgeArticlePage />) },
          { path: 'dashboard', element: guard('reports.read', <ServiceDashboardPage />) },
          { path: 'reports', element: guard('reports.read', <PortalReportsPage />) },
          { path: 'reports/:id', element: guard('reports.read', <ReportPage portal />) },
          { path: 'cis', element: guard('cmdb.read', <CiListPage portal />) },
          { path: 'cis/:id', element: guard('cmdb.read', <CiPage portal />) },
        ],
      },
      {
        // customer staff (e.g. a customer administrator managing his own contacts and accounts)
        // see these pages inside the portal's frame; everyone else in the agent shell
        element: <FaceLayout />,
        children: [
          { path: 'workspace', element: <WorkspaceRoute /> },
          { path: 'tickets', element: guard('tickets.read', <TicketListPage />) },
          { path: 'tickets/:id', element: guard('tickets.read', <TicketPage />) },
          { path: 'tickets/:id/report', element: guard('tickets.read', <RepairReportPage />) },
          { path: 'reporting', element: guard('reports.read', <DashboardPage />) },
          { path: 'reporting/contracts', element: guard('reports.read', <ContractsHealthPage />) },
          { path: 'reporting/evidence', element: guard('evidence.export', <EvidencePage />) },
          { path: 'reports', element: guard('reports.read', <ReportBoardPage />) },
          { path: 'reports/:id', element: guard('reports.read', <ReportPage />) },
          { path: 'reports/contracts/:id/plan', element: guard('reports.manage', <ReportPlanPage />) },
          { path: 'knowledge', element: guard('knowledge.read', <KnowledgeListPage />) },
          { path: 'knowledge/new', element: guard('knowledge.write', <ArticleEditorPage />) },
          { path: 'knowledge/submissions', element: guard('knowledge.write', <KnowledgeSubmissionsPage />) },
          { path: 'knowledge/:id', element: guard('knowledge.read', <ArticlePage />) },
          { path: 'knowledge/:id/edit', element: guard('knowledge.write', <ArticleEditorPage />) },
          { path: 'parts', element: guard('parts.read', <PartsStockPage />) },
          { path: 'parts/movements', element: guard('parts.read', <PartsMovementsPage />) },
          { path: 'parts/standins', element: guard('parts.read', <PartsStandinsPage />) },
          { path: 'parts/models', element: guard('parts.read', <PartModelsPage />) },
          { path: 'repairs', element: guard('repairs.read', <RepairListPage />) },
          { path: 'repairs/vendors', element: guard('repairs.read', <VendorsPage />) },
          { path: 'repairs/:id', element: guard('repairs.read', <RepairOrderPage />) },
          { path: 'cmdb', element: guard('cmdb.read', <CiListPage />) },
          { path: 'cmdb/types', element: guard('cmdb.manage', <CiTypesPage />) },
          { path: 'cmdb/import', element: guard('cmdb.write', <CiImportPage />) },
          { path: 'cmdb/:id', element: guard('cmdb.read', <CiPage />) },
          { path: 'assets', element: guard('cmdb.read', <AssetListPage />) },
          { path: 'assets/:id', element: guard('cmdb.read', <AssetPage />) },
          { path: 'asset-campaigns', element: guard('cmdb.read', <CampaignListPage />) },
          { path: 'asset-campaigns/:id', element: guard('cmdb.read', <CampaignPage />) },
          { path: 'asset-campaigns/:id/review', element: guard('cmdb.read', <CampaignReviewPage />) },
          { path: 'admin', element: <AdminIndex /> },
          { path: 'admin/teams', element: guard('teams.read', <TeamsPage />) },
          { path: 'admin/dispatch-rules', element: guard('dispatch.manage', <DispatchRulesPage />) },
          { path: 'admin/users', element: guard('users.read', <UsersPage />) },
          { path: 'admin/roles', element: guard('roles.read', <RolesPage />) },
          { path: 'admin/customers', element: guard('customers.read', <CustomersPage />) },
          { path: 'admin/customers/:id', element: guard('customers.read', <CustomerDetailPage />) },
          { path: 'admin/calendars', element: guard('calendars.read', <CalendarsPage />) },
          { path: 'admin/calendars/:id', element: guard('calendars.read', <CalendarDetailPage />) },
          { path: 'admin/sla', element: guard('sla.read', <SlaTemplatesPage />) },
          { path: 'admin/contracts/:id/sla', element: guard('sla.read', <ContractSlaPage />) },
          { path: 'admin/jobs', element: guard('jobs.manage', <JobsPage />) },
          { path: 'admin/webhooks', element: guard('integrations.manage', <WebhooksPage />) },
          { path: 'admin/alerts', element: guard('alerts.manage', <AlertSourcesPage />) },
          { path: 'admin/mail-in', element: guard('mail.manage', <MailInPage />) },
          { path: 'admin/audit', element: guard('audit.read', <AuditPage />) },
          { path: 'account/password', element: <ChangePasswordPage /> },
          { path: 'account/tokens', element: <ApiTokensPage /> },
          { path: 'account/notifications', element: <NotificationPrefsPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);

setUnauthorizedHandler(() => {
  const { pathname, search } = window.location;
  if (pathname.startsWith('/login')) return;
  queryClient.clear();
  void router.navigate(`/login?next=${encodeURIComponent(pathname + search)}`, { replace: true });
});

function Themed() {
  const { antdLocale } = useI18n();
  return (
    <ConfigProvider
      locale={antdLocale}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: { colorPrimary: '#1677ff', borderRadius: 6 },
        components: { Layout: { headerBg: '#fff', headerPadding: '0 16px', headerHeight: 56 } },
      }}
    >
      <AntApp>
        <RouterProvider router={router} />
      </AntApp>
    </ConfigProvider>
  );
}

export default function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <Themed />
      </I18nProvider>
    </QueryClientProvider>
  );
}
