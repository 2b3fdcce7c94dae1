// Types and paths of the assets API (server/src/modules/assets/schema.ts, docs/ASSETS.md).
import type { MessageKey } from '../../i18n';

export const ASSETS = '/assets';
export const CAMPAIGNS = '/asset-campaigns';
export const API_PREFIX = '/api/v1';

export type WarrantyStatus = 'none' | 'expired' | 'expiring' | 'valid';
export type Disposal = 'scrapped' | 'sold' | 'returned' | 'donated';
export const DISPOSALS: Disposal[] = ['scrapped', 'sold', 'returned', 'donated'];
export type CampaignState = 'open' | 'review' | 'closed' | 'cancelled';
export type CheckResult = 'found' | 'missing' | 'wrong_location' | 'wrong_attributes';
export type ItemResult = CheckResult | 'pending';
export const CHECK_RESULTS: CheckResult[] = ['found', 'missing', 'wrong_location', 'wrong_attributes'];

export interface AssetListItem {
  ciId: number;
  ciCode: string;
  ciName: string;
  ciStatus: string;
  customerId: number;
  customerName: string;
  siteId: number | null;
  siteName: string | null;
  serial: string | null;
  assetNo: string;
  supplier: string | null;
  price: number | null;
  purchaseDate: string | null;
  warrantyEnd: string | null;
  warrantyStatus: WarrantyStatus;
  location: string | null;
  responsibleName: string | null;
  disposal: Disposal | null;
  disposedDate: string | null;
  version: number;
}

export interface AssetRecord {
  assetNo: string;
  supplier: string | null;
  purchaseDate: string | null;
  purchaseOrder: string | null;
  price: number | null;
  warrantyEnd: string | null;
  warrantyStatus: WarrantyStatus;
  maintenanceContract: string | null;
  location: string | null;
  responsibleName: string | null;
  responsibleUserId: number | null;
  installedDate: string | null;
  disposal: Disposal | null;
  disposedDate: string | null;
  disposalNote: string | null;
  version: number;
  updatedAt: string;
}

export interface AssetPageData {
  ci: {
    id: number;
    code: string;
    name: string;
    status: string;
    typeName: string | null;
    customerId: number;
    customerName: string;
    siteId: number | null;
    siteName: string | null;
    brand: string | null;
    model: string | null;
    serial: string | null;
    ip: string | null;
    version: number;
  };
  asset: AssetRecord | null;
  campaigns: Array<{ id: number; name: string; state: CampaignState; result: ItemResult; decision: string | null }>;
  url: string;
}

export interface HistoryEntry {
  id: number;
  at: string;
  actorName: string;
  action: string;
  changes: unknown;
}

export interface Campaign {
  id: number;
  customerId: number;
  customerName: string;
  siteId: number | null;
  siteName: string | null;
  name: string;
  period: string;
  state: CampaignState;
  dueDate: string | null;
  assigneeId: number | null;
  assigneeName: string | null;
  total: number;
  checked: number;
  counts: Record<ItemResult, number>;
  undecided: number;
  closedAt: string | null;
  closedByName: string | null;
  version: number;
  createdAt: string;
}

export interface CampaignItem {
  id: number;
  ciId: number;
  ciCode: string;
  ciName: string;
  siteId: number | null;
  siteName: string | null;
  serial: string | null;
  brand: string | null;
  model: string | null;
  assetNo: string | null;
  location: string | null;
  responsibleName: string | null;
  result: ItemResult;
  note: string | null;
  proposed: Record<string, unknown> | null;
  hasPhoto: boolean;
  checkedAt: string | null;
  checkedByName: string | null;
  decision: 'accepted' | 'rejected' | null;
  decidedAt: string | null;
  decidedByName: string | null;
}

export const WARRANTY_COLOR: Record<WarrantyStatus, string> = { none: 'default', expired: 'red', expiring: 'orange', valid: 'green' };
export const STATE_COLOR: Record<CampaignState, string> = { open: 'processing', review: 'warning', closed: 'success', cancelled: 'default' };
export const RESULT_COLOR: Record<ItemResult, string> = { pending: 'default', found: 'green', missing: 'red', wrong_location: 'orange', wrong_attributes: 'gold' };

export const warrantyKey = (s: WarrantyStatus) => `assets.warranty.${s}` as MessageKey;
export const disposalKey = (d: Disposal) => `assets.disposal.${d}` as MessageKey;
export const stateKey = (s: CampaignState) => `campaigns.state.${s}` as MessageKey;
export const resultKey = (r: ItemResult) => `campaigns.result.${r}` as MessageKey;

/** A file the API serves (PDF, xlsx, photo) by its path under /api/v1. */
export const fileUrl = (path: string, query: Record<string, string | number | undefined> = {}) => {
  const q = Object.entries(query).filter(([, v]) => v !== undefined && v !== '');
  return `${API_PREFIX}${path}${q.length ? `?${q.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}` : ''}`;
};
