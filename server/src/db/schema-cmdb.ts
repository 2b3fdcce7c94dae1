import type { Generated } from 'kysely';

/**
 * Row types of the CMDB family's tables (migration 0030, docs/CMDB.md). Owners: modules/cmdb
 * (ci_types, cis, ci_addresses, ci_relations, ci_history, ticket_cis), modules/assets
 * (ci_assets, asset_campaigns, asset_campaign_items), modules/parts (part_models, warehouses,
 * part_stock, part_items, part_movements), modules/repairs (vendors, repair_orders,
 * repair_progress). Civil dates are `YYYY-MM-DD` text; instants UTC epoch ms; booleans 0/1.
 */
type Id = Generated<number>;

export interface CiTypesTable {
  id: Id;
  code: string;
  name_zh: string;
  name_en: string;
  /** JSON array of attribute definitions (core/cmdb/attributes.ts). */
  attributes: string;
  icon: string | null;
  builtin: Generated<number>;
  disabled: Generated<number>;
  version: Generated<number>;
  created_at: number;
  updated_at: number;
}
export interface CisTable {
  id: Id;
  customer_id: number;
  site_id: number | null;
  type_id: number;
  code: string;
  name: string;
  /** planned | in_use | maintenance | spare | retired */
  status: string;
  /** 1 (highest) … 4 */
  criticality: number;
  owner_id: number | null;
  owner_name: string | null;
  brand: string | null;
  model: string | null;
  serial: string | null;
  ip: string | null;
  hostname: string | null;
  /** JSON object validated against the type's attributes. */
  attributes: string;
  description: string | null;
  version: Generated<number>;
  created_at: number;
  updated_at: number;
  created_by: number | null;
  updated_by: number | null;
}
export interface CiAddressesTable {
  ci_id: number;
  customer_id: number;
  ip: string;
}
export interface CiRelationsTable {
  id: Id;
  customer_id: number;
  source_id: number;
  target_id: number;
  /** runs_on | hosted_in | connects_to | depends_on | backed_up_by | part_of */
  type: string;
  note: string | null;
  created_at: number;
  created_by: number | null;
}
export interface CiHistoryTable {
  id: Id;
  ci_id: number;
  at: number;
  actor_id: number | null;
  actor_name: string;
  action: string;
  /** JSON */
  changes: string;
}
export interface TicketCisTable {
  ticket_id: number;
  ci_id: number;
  created_at: number;
  created_by: number | null;
}
export interface CiAssetsTable {
  ci_id: number;
  customer_id: number;
  asset_no: string;
  supplier: string | null;
  purchase_date: string | null;
  purchase_order: string | null;
  price_cents: number | null;
  warranty_end: string | null;
  maintenance_contract: string | null;
  location: string | null;
  responsible_name: string | null;
  responsible_user_id: number | null;
  installed_date: string | null;
  disposed_date: string | null;
  /** scrapped | sold | returned | donated */
  disposal: string | null;
  disposal_note: string | null;
  version: Generated<number>;
  created_at: number;
  updated_at: number;
}
export interface AssetCampaignsTable {
  id: Id;
  customer_id: number;
  site_id: number | null;
  name: string;
  period: string;
  /** open | review | closed | cancelled */
  state: string;
  due_date: string | null;
  assignee_id: number | null;
  total: Generated<number>;
  checked: Generated<number>;
  closed_at: number | null;
  closed_by: number | null;
  version: Generated<number>;
  created_at: number;
  created_by: number | null;
  updated_at: number;
}
export interface AssetCampaignItemsTable {
  id: Id;
  campaign_id: number;
  ci_id: number;
  /** pending | found | missing | wrong_location | wrong_attributes */
  result: string;
  note: string | null;
  /** JSON of proposed corrections */
  proposed: string | null;
  photo_blob_id: number | null;
  checked_at: number | null;
  checked_by: number | null;
  /** accepted | rejected | null */
  decision: string | null;
  decided_at: number | null;
  decided_by: number | null;
}
/** What the daily asset jobs did, each once (migration 0033): warranty reminders, campaigns created. */
export interface AssetRemindersTable {
  id: Id;
  reminder_key: string;
  customer_id: number;
  ci_id: number | null;
  sent_at: number;
}
export interface PartModelsTable {
  id: Id;
  type: string;
  brand: string | null;
  model: string;
  unit: string;
  serial_tracked: Generated<number>;
  standin: Generated<number>;
  description: string | null;
  disabled: Generated<number>;
  version: Generated<number>;
  created_at: number;
  updated_at: number;
}
export interface WarehousesTable {
  id: Id;
  name: string;
  /** depot | customer */
  kind: string;
  customer_id: number | null;
  site_id: number | null;
  disabled: Generated<number>;
  created_at: number;
  updated_at: number;
}
export interface PartStockTable {
  warehouse_id: number;
  model_id: number;
  quantity: Generated<number>;
  min_quantity: Generated<number>;
  alerted_at: number | null;
  updated_at: number;
}
export interface PartItemsTable {
  id: Id;
  model_id: number;
  serial: string;
  warehouse_id: number | null;
  /** in_stock | fitted | lent | faulty | in_repair | scrapped */
  state: string;
  customer_id: number | null;
  ci_id: number | null;
  ticket_id: number | null;
  due_back: string | null;
  /** The local day an overdue stand-in was last reminded (migration 0032). */
  reminded_on: string | null;
  version: Generated<number>;
  updated_at: number;
}
export interface PartMovementsTable {
  id: Id;
  number: string;
  /** stock_in | requisition | return_faulty | return_unused | transfer | lend | lend_return | adjust | scrap */
  kind: string;
  model_id: number;
  item_id: number | null;
  quantity: number;
  from_warehouse_id: number | null;
  to_warehouse_id: number | null;
  customer_id: number | null;
  ticket_id: number | null;
  repair_report_id: number | null;
  ci_id: number | null;
  note: string | null;
  at: number;
  by_id: number | null;
  by_name: string;
}
export interface VendorsTable {
  id: Id;
  name: string;
  /** JSON array of {name, phone, email, role} */
  contacts: string;
  hotline: string | null;
  email: string | null;
  address: string | null;
  response_hours: number | null;
  repair_days: number | null;
  contract_no: string | null;
  contract_end: string | null;
  note: string | null;
  disabled: Generated<number>;
  version: Generated<number>;
  created_at: number;
  updated_at: number;
  /** The calendar the vendor's commitments count on (migration 0034). */
  calendar_id: Generated<string>;
}
export interface RepairOrdersTable {
  id: Id;
  number: string;
  customer_id: number;
  ticket_id: number | null;
  ci_id: number | null;
  device: string;
  serial: string | null;
  vendor_id: number;
  fault: string;
  /** warranty | paid */
  coverage: string;
  rma: string | null;
  /** backed_up | wiped | no_data */
  data_handling: string;
  data_confirmed_by: number | null;
  data_confirmed_at: number;
  /** draft | sent | returned | accepted | rejected | cancelled */
  state: string;
  sent_at: number | null;
  expected_return: string | null;
  target_return: string | null;
  next_report_due_at: number | null;
  reports_overdue: Generated<number>;
  returned_at: number | null;
  test_result: string | null;
  accepted_at: number | null;
  cost_cents: number | null;
  standin_item_id: number | null;
  version: Generated<number>;
  created_at: number;
  created_by: number | null;
  updated_at: number;
  /** Migration 0034: the contract's calendar of the progress clock, the customer's zone of the target, the vendor's answer, the reminder instant. */
  calendar_id: string | null;
  time_zone: string | null;
  vendor_responded_at: number | null;
  report_remind_at: number | null;
}
export interface RepairProgressTable {
  id: Id;
  order_id: number;
  at: number;
  by_id: number | null;
  by_name: string;
  text: string;
  due_at: number | null;
  late: Generated<number>;
  mailed_to: string | null;
}
/** An order's history (migration 0034): created, sent, responded, returned, accepted, rejected, cancelled, edited. */
export interface RepairEventsTable {
  id: Id;
  order_id: number;
  at: number;
  by_id: number | null;
  by_name: string;
  type: string;
  /** JSON */
  data: string;
}

export interface CmdbTables {
  ci_types: CiTypesTable;
  cis: CisTable;
  ci_addresses: CiAddressesTable;
  ci_relations: CiRelationsTable;
  ci_history: CiHistoryTable;
  ticket_cis: TicketCisTable;
  ci_assets: CiAssetsTable;
  asset_campaigns: AssetCampaignsTable;
  asset_campaign_items: AssetCampaignItemsTable;
  asset_reminders: AssetRemindersTable;
  part_models: PartModelsTable;
  warehouses: WarehousesTable;
  part_stock: PartStockTable;
  part_items: PartItemsTable;
  part_movements: PartMovementsTable;
  vendors: VendorsTable;
  repair_orders: RepairOrdersTable;
  repair_progress: RepairProgressTable;
  repair_events: RepairEventsTable;
}
