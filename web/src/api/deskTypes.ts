import type { Id, TicketKind } from './types';

/** GET /teams/{id}/workload: open tickets per member; "on duty" = used Yunwei in the last `onDutyMinutes` (no roster). */
export interface TeamWorkload {
  teamId: Id;
  teamName: string;
  assignment: string;
  onDutyMinutes: number;
  members: Array<{ userId: Id; displayName: string; isLead: boolean; disabled: boolean; open: number; onDuty: boolean; lastSeenAt: string | null }>;
}

export interface CommitmentTarget {
  amount: number;
  unit: 'minutes' | 'hours' | 'workdays';
  calendarName: string;
}

/** GET /portal/info: the service as the caller's customer gets it. */
export interface PortalInfo {
  desk: { hotline: string | null; hours: string | null };
  mailboxes: Array<{ address: string; name: string | null }>;
  contract: {
    id: Id;
    code: string;
    name: string;
    startsOn: string;
    endsOn: string;
    serviceHours: string;
    calendarName: string | null;
    commitments: Array<{ priority: string; name: string; rank: number; response: CommitmentTarget | null; onsite: CommitmentTarget | null; resolution: CommitmentTarget | null; text: string }>;
  } | null;
}

/** /dispatch-rules: criteria left empty match anything. */
export interface DispatchRule {
  id: Id;
  name: string;
  position: number;
  enabled: boolean;
  customerId: Id | null;
  customerName?: string | null;
  service: string | null;
  category: string | null;
  priority: string | null;
  kind: TicketKind | null;
  teamId: Id;
  teamName?: string | null;
  version: number;
}
