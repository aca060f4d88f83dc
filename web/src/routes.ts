import type { FunctionComponent } from 'preact';
import type { MessageKey } from './i18n/i18n';
import type { Role } from './session';
import { MyDataPage } from './pages/citizen/my-data';
import { RequestsPage } from './pages/citizen/requests';
import { ConsentsPage } from './pages/citizen/consents';
import { ActivityPage } from './pages/citizen/activity';
import { EnterpriseRequestsPage } from './pages/enterprise/requests';
import { NewRequestPage } from './pages/enterprise/new-request';
import { LicencesPage } from './pages/enterprise/licences';
import { InvoicesPage } from './pages/enterprise/invoices';
import { NoticePage } from './pages/enterprise/notice';
import { ReviewQueuePage } from './pages/operator/review-queue';
import { LedgerPage } from './pages/auditor/ledger';
import { AccessLogPage } from './pages/auditor/access-log';
import { AccessEventsPage } from './pages/auditor/access-events';
import { ReportsPage } from './pages/auditor/reports';
import { OrganizationsPage } from './pages/operator/organizations';
import { NoticesPage } from './pages/operator/notices';
import { RightsRequestsPage } from './pages/citizen/rights-requests';
import { RightsQueuePage } from './pages/operator/rights-queue';
import { RightsReportPage } from './pages/auditor/rights-report';
import { BreachRegisterPage } from './pages/breaches/breach-register';
import { BreachNoticesPage } from './pages/breaches/breach-notices';
import { AuditBreachesPage } from './pages/breaches/audit-breaches';
import { AuditRetentionPage, RetentionPage } from './pages/retention/retention-pages';

export interface Route {
  path: string;
  nav: MessageKey;
  page: FunctionComponent;
}

/** Each role's pages, in the order its navigation shows them. */
export const ROUTES: Record<Role, Route[]> = {
  citizen: [
    { path: '/citizen/requests', nav: 'nav.requests', page: RequestsPage },
    { path: '/citizen/consents', nav: 'nav.consents', page: ConsentsPage },
    { path: '/citizen/activity', nav: 'nav.activity', page: ActivityPage },
    { path: '/citizen/data', nav: 'nav.myData', page: MyDataPage },
    { path: '/citizen/rights', nav: 'nav.rights', page: RightsRequestsPage },
    { path: '/citizen/breaches', nav: 'nav.breachNotices', page: BreachNoticesPage },
    { path: '/citizen/retention', nav: 'nav.retention', page: RetentionPage },
  ],
  organization: [
    { path: '/enterprise/requests', nav: 'nav.enterpriseRequests', page: EnterpriseRequestsPage },
    { path: '/enterprise/new', nav: 'nav.newRequest', page: NewRequestPage },
    { path: '/enterprise/licences', nav: 'nav.licences', page: LicencesPage },
    { path: '/enterprise/invoices', nav: 'nav.invoices', page: InvoicesPage },
    { path: '/enterprise/notice', nav: 'nav.orgNotice', page: NoticePage },
  ],
  auditor: [
    { path: '/auditor/ledger', nav: 'nav.ledger', page: LedgerPage },
    { path: '/auditor/events', nav: 'nav.events', page: AccessEventsPage },
    { path: '/auditor/access-log', nav: 'nav.accessLog', page: AccessLogPage },
    { path: '/auditor/reports', nav: 'nav.reports', page: ReportsPage },
    { path: '/auditor/rights-requests', nav: 'nav.rightsReport', page: RightsReportPage },
    { path: '/auditor/breaches', nav: 'nav.auditBreaches', page: AuditBreachesPage },
    { path: '/auditor/retention', nav: 'nav.auditRetention', page: AuditRetentionPage },
  ],
  operator: [
    { path: '/operator/organizations', nav: 'nav.organizations', page: OrganizationsPage },
    { path: '/operator/notices', nav: 'nav.notices', page: NoticesPage },
    { path: '/operator/review', nav: 'nav.review', page: ReviewQueuePage },
    { path: '/operator/rights-requests', nav: 'nav.rightsQueue', page: RightsQueuePage },
    { path: '/operator/breaches', nav: 'nav.breaches', page: BreachRegisterPage },
  ],
};

export function routeFor(role: Role, path: string): Route | undefined {
  return ROUTES[role].find((r) => r.path === path);
}
