// Types and paths of the vendor repairs API (server/src/modules/repairs/schema.ts, docs/REPAIRS.md).

export const ORDERS = '/repair-orders';
export const VENDORS = '/vendors';
export const REPAIR_STATES = ['draft', 'sent', 'returned', 'accepted', 'rejected', 'cancelled'] as const;
export type RepairState = (typeof REPAIR_STATES)[number];
export const DATA_HANDLING = ['backed_up', 'wiped', 'no_data'] as const;
export type DataHandling = (typeof DATA_HANDLING)[number];
export type Coverage = 'warranty' | 'paid';
export type ReportStatus = 'none' | 'running' | 'due' | 'overdue';

export interface OrderSummary {
  id: number;
  number: string;
  customerId: number;
  customerName: string | null;
  ticketId: number | null;
  ticketNumber: string | null;
  ciId: number | null;
  ciCode: string | null;
  device: string;
  serial: string | null;
  vendorId: number;
  vendorName: string | null;
  fault: string;
  coverage: Coverage;
  rma: string | null;
  dataHandling: DataHandling;
  state: RepairState;
  sentAt: string | null;
  expectedReturn: string | null;
  targetReturn: string | null;
  targetMet: boolean | null;
  nextReportDueAt: string | null;
  reportRemindAt: string | null;
  reportStatus: ReportStatus;
  reportsOverdue: number;
  returnedAt: string | null;
  acceptedAt: string | null;
  updatedAt: string;
  version: number;
}

export interface Progress {
  id: number;
  at: string;
  byName: string;
  text: string;
  dueAt: string | null;
  late: boolean;
  mailedTo: string | null;
}

export interface RepairEvent {
  id: number;
  at: string;
  byName: string;
  type: string;
  data: Record<string, unknown>;
}

export type OrderAction = 'send' | 'return' | 'accept' | 'reject' | 'cancel' | 'respond' | 'report' | 'edit' | 'standin';

/** A stand-in machine of the parts module (GET /part-items?standin=1). */
export interface StandinItem {
  id: number;
  modelId: number;
  modelLabel: string;
  serial: string;
  state: string;
  warehouseId: number | null;
  warehouseName: string | null;
  customerId: number | null;
  dueBack: string | null;
}

export interface Order extends OrderSummary {
  ticketTitle: string | null;
  ciName: string | null;
  vendorHotline: string | null;
  dataConfirmedByName: string | null;
  dataConfirmedAt: string;
  vendorRespondedAt: string | null;
  testResult: string | null;
  costCents: number | null;
  standinItemId: number | null;
  calendarId: string | null;
  timeZone: string;
  createdAt: string;
  createdByName: string | null;
  allowedActions: OrderAction[];
  progress: Progress[];
  events: RepairEvent[];
}

export interface VendorContact {
  name: string;
  phone: string | null;
  email: string | null;
  role: string | null;
}

export interface Vendor {
  id: number;
  name: string;
  contacts: VendorContact[];
  hotline: string | null;
  email: string | null;
  address: string | null;
  responseHours: number | null;
  repairDays: number | null;
  contractNo: string | null;
  contractEnd: string | null;
  calendarId: string;
  note: string | null;
  disabled: boolean;
  openOrders: number;
  version: number;
}

export interface OlaMeasure {
  target: number | null;
  met: number;
  missed: number;
  pending: number;
  rate: number | null;
}

export interface VendorOla {
  vendorId: number;
  vendorName: string;
  from: string;
  to: string;
  orders: number;
  response: OlaMeasure;
  repair: OlaMeasure;
}
