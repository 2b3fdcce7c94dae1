import type { CompiledCalendar } from '../../core/calendar/index.js';
import type { ContractSla } from '../../modules/sla/policies.service.js';

/**
 * The organisation a simulated history runs in: customers with their contracts (one per
 * calendar year, with the SLA the tickets are measured against), the teams that work tickets,
 * and the calendars. The bench builds a large one (bench/src/gen/organisation.ts); the demo
 * describes its own (ops/demo.ts).
 */

export interface ContractModel {
  id: number;
  year: number;
  startsOn: string;
  endsOn: string;
  calendarId: string;
  sla: ContractSla;
  services: string[];
  pmId: number;
}

export interface CustomerModel {
  id: number;
  tier: 1 | 2 | 3;
  name: string;
  weight: number;
  siteIds: number[];
  contacts: Array<{ id: number; siteId: number | null }>;
  /** customer_contact / customer_admin users (portal reports, confirmations, ratings). */
  portalUserIds: number[];
  contracts: Map<number, ContractModel>;
  line1TeamId: number;
}

export interface TeamModel {
  id: number;
  name: string;
  kind: 'desk' | 'line1' | 'line2' | 'project' | 'quality';
  memberIds: number[];
  leadId: number;
  /** Services a second-line team works (first-line teams work by region). */
  services: string[];
}

export interface OrgModel {
  customers: CustomerModel[];
  teams: TeamModel[];
  desk: TeamModel;
  line2ByService: Map<string, TeamModel>;
  /** The provider-side agents who work tickets (desk, first and second line). */
  agentIds: number[];
  /** The integration user that monitoring and API tickets are created by (null: the system, as alert intake does). */
  integrationUserId: number | null;
  /** Where complaints go (the quality team); without it, to the customer's first-line team. */
  complaintTeam?: TeamModel;
  adminId: number;
  calendars: Map<string, CompiledCalendar>;
  counts: Record<string, number>;
}
