import type { Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/**
 * The CMDB family (issue #13, docs/CMDB.md): configuration items and their relationships
 * (modules/cmdb), the asset side of a CI and its verification campaigns (modules/assets), spare
 * parts (modules/parts) and vendor repairs (modules/repairs).
 *
 * Civil dates (purchase, warranty end, expected return) are text `YYYY-MM-DD`: a date on a
 * contract has no instant. Instants are UTC epoch milliseconds as everywhere.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // ---------------------------------------------------------------- cmdb
  // CI types are data: the built-in ones are seeded, an administrator adds and edits them.
  await withId(db, db.schema.createTable('ci_types'))
    .addColumn('code', 'varchar(40)', (c) => c.notNull().unique())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    // JSON array of attribute definitions (core/cmdb/attributes.ts): {key, zh, en, kind, required, unit, choices, min, max}
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('icon', 'text')
    .addColumn('builtin', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('cis'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addColumn('site_id', BIGINT, (c) => c.references('sites.id'))
    .addColumn('type_id', BIGINT, (c) => c.notNull().references('ci_types.id'))
    // unique in the installation, e.g. SRV-HIS-DB01; searched by prefix
    .addColumn('code', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // planned | in_use | maintenance | spare | retired
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    // 1 (highest) … 4
    .addColumn('criticality', 'integer', (c) => c.notNull())
    .addColumn('owner_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('owner_name', 'text')
    .addColumn('brand', 'text')
    .addColumn('model', 'text')
    .addColumn('serial', 'varchar(100)')
    // the management address (searched exactly and by prefix); every address is in ci_addresses
    .addColumn('ip', 'varchar(64)')
    // host name monitoring alerts carry (lower case), for binding alerts to CIs
    .addColumn('hostname', 'varchar(255)')
    // JSON object of the type's attributes, validated against ci_types.attributes
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .addColumn('updated_by', BIGINT, (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('cis_code').on('cis').column('code').unique().execute();
  await db.schema.createIndex('cis_serial').on('cis').column('serial').execute();
  await db.schema.createIndex('cis_customer').on('cis').columns(['customer_id', 'type_id', 'id']).execute();
  await db.schema.createIndex('cis_customer_name').on('cis').columns(['customer_id', 'name']).execute();
  await db.schema.createIndex('cis_site').on('cis').columns(['site_id', 'id']).execute();
  await db.schema.createIndex('cis_ip').on('cis').column('ip').execute();
  await db.schema.createIndex('cis_hostname').on('cis').columns(['hostname', 'customer_id']).execute();
  await db.schema.createIndex('cis_updated').on('cis').columns(['updated_at', 'id']).execute();

  // Every address of a CI (attributes may list several), for search by IP and alert binding.
  await db.schema
    .createTable('ci_addresses')
    .addColumn('ci_id', BIGINT, (c) => c.notNull().references('cis.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addColumn('ip', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('ci_addresses_pk', ['ci_id', 'ip'])
    .execute();
  await db.schema.createIndex('ci_addresses_ip').on('ci_addresses').columns(['ip', 'customer_id']).execute();

  // Typed edges: source <type> target, e.g. "HIS app runs_on db01", "db01 hosted_in rack A3".
  await withId(db, db.schema.createTable('ci_relations'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addColumn('source_id', BIGINT, (c) => c.notNull().references('cis.id').onDelete('cascade'))
    .addColumn('target_id', BIGINT, (c) => c.notNull().references('cis.id').onDelete('cascade'))
    // runs_on | hosted_in | connects_to | depends_on | backed_up_by | part_of
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('ci_relations_edge').on('ci_relations').columns(['source_id', 'target_id', 'type']).unique().execute();
  await db.schema.createIndex('ci_relations_target').on('ci_relations').columns(['target_id', 'source_id']).execute();

  // Every change to a CI (and its relations), kept forever: who, when, before/after.
  await withId(db, db.schema.createTable('ci_history'))
    .addColumn('ci_id', BIGINT, (c) => c.notNull().references('cis.id'))
    .addColumn('at', BIGINT, (c) => c.notNull())
    .addColumn('actor_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('actor_name', 'text', (c) => c.notNull())
    // created | updated | related | unrelated | verified | retired | asset | ...
    .addColumn('action', 'varchar(24)', (c) => c.notNull())
    // JSON {field: [before, after]} or the relation / event concerned
    .addColumn('changes', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ci_history_ci').on('ci_history').columns(['ci_id', 'id']).execute();

  // The CIs a ticket names (affected CIs).
  await db.schema
    .createTable('ticket_cis')
    .addColumn('ticket_id', BIGINT, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('ci_id', BIGINT, (c) => c.notNull().references('cis.id'))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .addPrimaryKeyConstraint('ticket_cis_pk', ['ticket_id', 'ci_id'])
    .execute();
  await db.schema.createIndex('ticket_cis_ci').on('ticket_cis').columns(['ci_id', 'ticket_id']).execute();

  // ---------------------------------------------------------------- assets
  // The financial and lifecycle side of a CI (one row per CI that is an asset).
  await db.schema
    .createTable('ci_assets')
    .addColumn('ci_id', BIGINT, (c) => c.primaryKey().references('cis.id'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    // the code printed on the tag (资产编号), unique; the QR code carries the asset page's address
    .addColumn('asset_no', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('supplier', 'text')
    .addColumn('purchase_date', 'varchar(10)')
    .addColumn('purchase_order', 'text')
    // price in fen (cents) so sums are exact
    .addColumn('price_cents', BIGINT)
    .addColumn('warranty_end', 'varchar(10)')
    .addColumn('maintenance_contract', 'text')
    .addColumn('location', 'text')
    .addColumn('responsible_name', 'text')
    .addColumn('responsible_user_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('installed_date', 'varchar(10)')
    .addColumn('disposed_date', 'varchar(10)')
    // scrapped | sold | returned | donated
    .addColumn('disposal', 'varchar(16)')
    .addColumn('disposal_note', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ci_assets_warranty').on('ci_assets').columns(['warranty_end', 'customer_id']).execute();
  await db.schema.createIndex('ci_assets_customer').on('ci_assets').columns(['customer_id', 'ci_id']).execute();

  // Verification campaigns (盘点): per customer, optionally one site; twice a year by default.
  await withId(db, db.schema.createTable('asset_campaigns'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addColumn('site_id', BIGINT, (c) => c.references('sites.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    // e.g. 2026-H2
    .addColumn('period', 'varchar(16)', (c) => c.notNull())
    // open | review | closed | cancelled
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('due_date', 'varchar(10)')
    .addColumn('assignee_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('checked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('closed_at', BIGINT)
    .addColumn('closed_by', BIGINT, (c) => c.references('users.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('asset_campaigns_customer').on('asset_campaigns').columns(['customer_id', 'id']).execute();

  await withId(db, db.schema.createTable('asset_campaign_items'))
    .addColumn('campaign_id', BIGINT, (c) => c.notNull().references('asset_campaigns.id').onDelete('cascade'))
    .addColumn('ci_id', BIGINT, (c) => c.notNull().references('cis.id'))
    // pending | found | missing | wrong_location | wrong_attributes
    .addColumn('result', 'varchar(16)', (c) => c.notNull())
    .addColumn('note', 'text')
    // JSON of the corrections the engineer proposes ({location, siteId, serial, attributes ...})
    .addColumn('proposed', 'text')
    .addColumn('photo_blob_id', BIGINT, (c) => c.references('file_blobs.id'))
    .addColumn('checked_at', BIGINT)
    .addColumn('checked_by', BIGINT, (c) => c.references('users.id'))
    // review of a difference: accepted (register updated) | rejected; null while undecided
    .addColumn('decision', 'varchar(16)')
    .addColumn('decided_at', BIGINT)
    .addColumn('decided_by', BIGINT, (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('asset_campaign_items_ci').on('asset_campaign_items').columns(['campaign_id', 'ci_id']).unique().execute();

  // ---------------------------------------------------------------- parts
  await withId(db, db.schema.createTable('part_models'))
    // e.g. 硬盘, 内存, 电源, 硒鼓, 备机 (stand-in machine)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('brand', 'text')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('serial_tracked', BOOL, (c) => c.notNull().defaultTo(0))
    // a machine lent to a customer while his own is away (备机)
    .addColumn('standin', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('description', 'text')
    .addColumn('disabled', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('part_models_key').on('part_models').columns(['type', 'brand', 'model']).unique().execute();

  // The provider's depot (customer_id null) or a store at a customer's site.
  await withId(db, db.schema.createTable('warehouses'))
    .addColumn('name', 'text', (c) => c.notNull())
    // depot | customer
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id'))
    .addColumn('site_id', BIGINT, (c) => c.references('sites.id'))
    .addColumn('disabled', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();

  // On-hand quantity per warehouse and model; `min_quantity` raises the minimum-stock alert.
  await db.schema
    .createTable('part_stock')
    .addColumn('warehouse_id', BIGINT, (c) => c.notNull().references('warehouses.id'))
    .addColumn('model_id', BIGINT, (c) => c.notNull().references('part_models.id'))
    .addColumn('quantity', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('min_quantity', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('alerted_at', BIGINT)
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addPrimaryKeyConstraint('part_stock_pk', ['warehouse_id', 'model_id'])
    .execute();

  // Serial-tracked units.
  await withId(db, db.schema.createTable('part_items'))
    .addColumn('model_id', BIGINT, (c) => c.notNull().references('part_models.id'))
    .addColumn('serial', 'varchar(100)', (c) => c.notNull())
    // the warehouse holding it; null when it is out (fitted, lent, at the vendor, scrapped)
    .addColumn('warehouse_id', BIGINT, (c) => c.references('warehouses.id'))
    // in_stock | fitted | lent | faulty | in_repair | scrapped
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id'))
    .addColumn('ci_id', BIGINT, (c) => c.references('cis.id'))
    .addColumn('ticket_id', BIGINT, (c) => c.references('tickets.id'))
    .addColumn('due_back', 'varchar(10)')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('part_items_serial').on('part_items').columns(['model_id', 'serial']).unique().execute();
  await db.schema.createIndex('part_items_where').on('part_items').columns(['warehouse_id', 'model_id', 'state']).execute();

  // Every movement, the ledger stock is the sum of: stock in, requisition (备件领用单), return of
  // the faulty part, transfer, lending a stand-in and its return, adjustment.
  await withId(db, db.schema.createTable('part_movements'))
    // e.g. LY-202612-0001 for a requisition
    .addColumn('number', 'varchar(32)', (c) => c.notNull())
    // stock_in | requisition | return_faulty | return_unused | transfer | lend | lend_return | adjust | scrap
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('model_id', BIGINT, (c) => c.notNull().references('part_models.id'))
    .addColumn('item_id', BIGINT, (c) => c.references('part_items.id'))
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('from_warehouse_id', BIGINT, (c) => c.references('warehouses.id'))
    .addColumn('to_warehouse_id', BIGINT, (c) => c.references('warehouses.id'))
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id'))
    .addColumn('ticket_id', BIGINT, (c) => c.references('tickets.id'))
    .addColumn('repair_report_id', BIGINT, (c) => c.references('repair_reports.id'))
    .addColumn('ci_id', BIGINT, (c) => c.references('cis.id'))
    .addColumn('note', 'text')
    .addColumn('at', BIGINT, (c) => c.notNull())
    .addColumn('by_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('by_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('part_movements_customer').on('part_movements').columns(['customer_id', 'at']).execute();
  await db.schema.createIndex('part_movements_ticket').on('part_movements').column('ticket_id').execute();
  await db.schema.createIndex('part_movements_number').on('part_movements').column('number').execute();
  await db.schema.createIndex('part_movements_at').on('part_movements').columns(['at', 'id']).execute();

  // ---------------------------------------------------------------- repairs
  // Vendors with their own commitments (an underpinning contract, measured like an OLA).
  await withId(db, db.schema.createTable('vendors'))
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON array of {name, phone, email, role}
    .addColumn('contacts', 'text', (c) => c.notNull())
    .addColumn('hotline', 'text')
    .addColumn('email', 'text')
    .addColumn('address', 'text')
    // the vendor's response target (working hours) and repair turnaround (working days)
    .addColumn('response_hours', 'integer')
    .addColumn('repair_days', 'integer')
    .addColumn('contract_no', 'text')
    .addColumn('contract_end', 'varchar(10)')
    .addColumn('note', 'text')
    .addColumn('disabled', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('vendors_name').on('vendors').column('name').unique().execute();

  // The send-for-repair order (设备送修单).
  await withId(db, db.schema.createTable('repair_orders'))
    // e.g. SX-202612-0001
    .addColumn('number', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addColumn('ticket_id', BIGINT, (c) => c.references('tickets.id'))
    .addColumn('ci_id', BIGINT, (c) => c.references('cis.id'))
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('serial', 'text')
    .addColumn('vendor_id', BIGINT, (c) => c.notNull().references('vendors.id'))
    .addColumn('fault', 'text', (c) => c.notNull())
    // warranty | paid
    .addColumn('coverage', 'varchar(16)', (c) => c.notNull())
    .addColumn('rma', 'text')
    // backed_up | wiped | no_data: the confirmation the order cannot be sent without
    .addColumn('data_handling', 'varchar(16)', (c) => c.notNull())
    .addColumn('data_confirmed_by', BIGINT, (c) => c.references('users.id'))
    .addColumn('data_confirmed_at', BIGINT, (c) => c.notNull())
    // draft | sent | returned | accepted | rejected | cancelled
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('sent_at', BIGINT)
    .addColumn('expected_return', 'varchar(10)')
    // "back before the second weekend": the Friday of the week after sending (customer's zone)
    .addColumn('target_return', 'varchar(10)')
    // when the next written progress report is due (every 3 working days on the contract's calendar)
    .addColumn('next_report_due_at', BIGINT)
    .addColumn('reports_overdue', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('returned_at', BIGINT)
    .addColumn('test_result', 'text')
    .addColumn('accepted_at', BIGINT)
    .addColumn('cost_cents', BIGINT)
    .addColumn('standin_item_id', BIGINT, (c) => c.references('part_items.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('repair_orders_customer').on('repair_orders').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('repair_orders_due').on('repair_orders').columns(['state', 'next_report_due_at']).execute();
  await db.schema.createIndex('repair_orders_ticket').on('repair_orders').column('ticket_id').execute();
  await db.schema.createIndex('repair_orders_vendor').on('repair_orders').columns(['vendor_id', 'sent_at']).execute();

  await withId(db, db.schema.createTable('repair_progress'))
    .addColumn('order_id', BIGINT, (c) => c.notNull().references('repair_orders.id').onDelete('cascade'))
    .addColumn('at', BIGINT, (c) => c.notNull())
    .addColumn('by_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('by_name', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    // the report that was due when this one was written, and whether it came late
    .addColumn('due_at', BIGINT)
    .addColumn('late', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('mailed_to', 'text')
    .execute();
  await db.schema.createIndex('repair_progress_order').on('repair_progress').columns(['order_id', 'id']).execute();
}
