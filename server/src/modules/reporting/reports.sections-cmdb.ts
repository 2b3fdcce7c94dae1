import { sql } from 'kysely';
import type { ReportBlock, TableColumn } from '../../core/reporting/document.js';
import { localDayOf } from '../../core/reporting/periods.js';
import { returnedByTarget } from '../../core/repairs/target.js';
import type { Locale } from '../../platform/i18n/index.js';
import { modelLabel } from '../parts/service.js';
import { overdueAt, recordScope, standinsOut } from './metrics.cmdb.js';
import { kpiBlock, localTime, type SectionInput } from './reports.sections.js';

/**
 * The CMDB family's report sections (issue #13, docs/REPORTS.md): 备件与厂商维修 (`parts_vendor`),
 * the CIs behind the period's faults (added to `faults`), and 资产与盘点 (`assets`). Figures come
 * from the KPI catalogue (the same definitions as the dashboard and the API); lists of records
 * are read from the parts, repairs, CMDB and assets tables directly, scoped like the tickets: the
 * customer, and with the contract, the records whose ticket is on it (or that have no ticket).
 */

const zh = (locale: Locale) => locale !== 'en-US';
const DAY = 86_400_000;

/** The KPIs the parts and vendor-repairs section prints, by the catalogue's codes. */
export const PARTS_VENDOR_KPIS = ['parts.requisitions', 'parts.standins.overdue', 'vendor.reports.ontime_rate', 'vendor.returns.target_rate', 'vendor.turnaround.mean'];

const STATE: Record<string, [string, string]> = {
  draft: ['草稿', 'Draft'],
  sent: ['送修中', 'At the vendor'],
  returned: ['已返回待验收', 'Back, to test'],
  accepted: ['已验收', 'Accepted'],
  rejected: ['验收不合格返修', 'Sent back'],
  cancelled: ['已取消', 'Cancelled'],
};
const pick = (pair: [string, string] | undefined, locale: Locale, fallback: string) => (pair ? pair[zh(locale) ? 0 : 1] : fallback);
/** A column with its label in the report's language. */
const col = (z: boolean, key: string, zhLabel: string, enLabel: string, align?: TableColumn['align']): TableColumn => ({ key, label: z ? zhLabel : enLabel, ...(align ? { align } : {}) });
/** The columns both order tables start with. */
const orderColumns = (z: boolean): TableColumn[] => [col(z, 'number', '送修单号', 'Order'), col(z, 'device', '设备', 'Device'), col(z, 'vendor', '厂商', 'Vendor'), col(z, 'sent', '送出', 'Sent'), col(z, 'target', '目标返回日', 'Target')];

export async function partsVendor(input: SectionInput): Promise<ReportBlock[]> {
  const z = zh(input.locale);
  const f = { customerIds: [input.customerId], contractId: input.contractId };
  const db = input.db;

  // ---- spare parts: the period's requisition slips, line by line
  const lines = await db
    .selectFrom('part_movements')
    .innerJoin('part_models', 'part_models.id', 'part_movements.model_id')
    .leftJoin('tickets', 'tickets.id', 'part_movements.ticket_id')
    .select(['part_movements.number', 'part_movements.at', 'part_movements.quantity', 'part_movements.by_name', 'part_models.type', 'part_models.brand', 'part_models.model', 'part_models.unit', 'tickets.number as ticket_number'])
    .where('part_movements.kind', '=', 'requisition')
    .where('part_movements.at', '>=', input.start)
    .where('part_movements.at', '<', input.end)
    .where(recordScope('part_movements', f))
    .orderBy('part_movements.at')
    .orderBy('part_movements.id')
    .limit(5000)
    .execute();
  const slips = new Map<string, { number: string; at: number; ticket: string | null; by: string; parts: Map<string, number> }>();
  const byModel = new Map<string, { quantity: number; unit: string; slips: Set<string> }>();
  for (const l of lines) {
    const label = modelLabel(l);
    const s = slips.get(l.number) ?? { number: l.number, at: Number(l.at), ticket: l.ticket_number ?? null, by: l.by_name, parts: new Map<string, number>() };
    s.parts.set(label, (s.parts.get(label) ?? 0) + Number(l.quantity));
    slips.set(l.number, s);
    const m = byModel.get(label) ?? { quantity: 0, unit: l.unit, slips: new Set<string>() };
    m.quantity += Number(l.quantity);
    m.slips.add(l.number);
    byModel.set(label, m);
  }
  const partsTotal = lines.reduce((n, l) => n + Number(l.quantity), 0);

  // ---- stand-ins out at some time in the period
  const now = Date.now();
  const endAt = Math.min(input.end, now);
  const endDate = localDayOf(endAt, input.timeZone);
  const standins = await standinsOut(db, f, input.start, input.end);
  const items = standins.length
    ? await db
        .selectFrom('part_items')
        .innerJoin('part_models', 'part_models.id', 'part_items.model_id')
        .select(['part_items.id', 'part_items.serial', 'part_models.type', 'part_models.brand', 'part_models.model'])
        .where('part_items.id', 'in', [...new Set(standins.map((s) => s.itemId))])
        .execute()
    : [];
  const itemOf = new Map(items.map((i) => [Number(i.id), i]));
  const lent = standins.filter((s) => s.lentAt >= input.start).length;
  const returned = standins.filter((s) => s.returnedAt !== null && s.returnedAt < input.end).length;
  const overdue = standins.filter((s) => overdueAt(s, endAt, endDate));

  // ---- stock under its minimum at the customer's own stores (as the report is generated)
  const low = await db
    .selectFrom('part_stock')
    .innerJoin('warehouses', 'warehouses.id', 'part_stock.warehouse_id')
    .innerJoin('part_models', 'part_models.id', 'part_stock.model_id')
    .select(['warehouses.name as warehouse', 'part_models.type', 'part_models.brand', 'part_models.model', 'part_models.unit', 'part_stock.quantity', 'part_stock.min_quantity'])
    .where('warehouses.customer_id', '=', input.customerId)
    .where('warehouses.disabled', '=', 0)
    .where('part_stock.min_quantity', '>', 0)
    .whereRef('part_stock.quantity', '<', 'part_stock.min_quantity')
    .orderBy('warehouses.name')
    .orderBy('part_models.type')
    .orderBy('part_models.model')
    .limit(500)
    .execute();

  // ---- vendor repairs: every order that was out, came back or was accepted in the period
  const orders = await db
    .selectFrom('repair_orders')
    .innerJoin('vendors', 'vendors.id', 'repair_orders.vendor_id')
    .select([
      'repair_orders.id',
      'repair_orders.number',
      'repair_orders.device',
      'repair_orders.state',
      'repair_orders.sent_at',
      'repair_orders.returned_at',
      'repair_orders.accepted_at',
      'repair_orders.target_return',
      'repair_orders.time_zone',
      'repair_orders.reports_overdue',
      'vendors.name as vendor',
    ])
    .where('repair_orders.customer_id', '=', input.customerId)
    .where(recordScope('repair_orders', f))
    .where('repair_orders.sent_at', 'is not', null)
    .where('repair_orders.sent_at', '<', input.end)
    .where((eb) =>
      eb.or([
        eb('repair_orders.sent_at', '>=', input.start),
        eb('repair_orders.returned_at', '>=', input.start),
        eb('repair_orders.accepted_at', '>=', input.start),
        eb('repair_orders.state', 'in', ['sent', 'rejected', 'returned']),
      ]),
    )
    .orderBy('repair_orders.sent_at')
    .limit(1000)
    .execute();
  const orderIds = orders.map((o) => Number(o.id));
  const progress = orderIds.length
    ? await db
        .selectFrom('repair_progress')
        .select(['order_id', sql<number>`count(*)`.as('n'), sql<number>`sum(late)`.as('late')])
        .where('order_id', 'in', orderIds)
        .where('at', '>=', input.start)
        .where('at', '<', input.end)
        .groupBy('order_id')
        .execute()
    : [];
  const progressOf = new Map(progress.map((p) => [Number(p.order_id), { n: Number(p.n), late: Number(p.late ?? 0) }]));
  const inPeriod = (ms: number | string | null) => ms !== null && Number(ms) >= input.start && Number(ms) < input.end;
  const sent = orders.filter((o) => inPeriod(o.sent_at)).length;
  const back = orders.filter((o) => inPeriod(o.returned_at)).length;
  const accepted = orders.filter((o) => inPeriod(o.accepted_at)).length;
  const backAt = (o: (typeof orders)[number]) => (o.state === 'returned' || o.state === 'accepted' ? Number(o.returned_at) : null);
  const onTime = (o: (typeof orders)[number]) => {
    const at = backAt(o);
    return at === null || !o.target_return ? null : returnedByTarget(at, o.time_zone ?? input.timeZone, o.target_return);
  };
  const backInPeriod = orders.filter((o) => backAt(o) !== null && inPeriod(backAt(o)));
  const backOnTime = backInPeriod.filter((o) => onTime(o) === true).length;
  // Away at the period's end (or now): sent before it and not back by then.
  const away = orders.filter((o) => o.state !== 'cancelled' && o.state !== 'accepted' && (backAt(o) === null || Number(backAt(o)) >= endAt));
  // The progress reports that fell due in the period and those written in time: the KPI's own numerator and denominator.
  const due = (await input.metrics.compute({ kpis: ['vendor.reports.ontime_rate'], customerIds: [input.customerId], contractId: input.contractId, from: input.from, to: input.to, groupBy: 'total' })).totals['vendor.reports.ontime_rate'];

  const blocks: ReportBlock[] = [
    {
      type: 'text',
      text: z
        ? `本期开具备件领用单 ${slips.size} 张，领用备件 ${partsTotal} 件；备机借出 ${lent} 台、归还 ${returned} 台，期末逾期未还 ${overdue.length} 台。本期送修设备 ${sent} 台，返回 ${back} 台（按目标日返回 ${backOnTime} 台），验收 ${accepted} 台；期末仍在厂商处 ${away.length} 台。进度报告应报 ${due?.denominator ?? 0} 次，按时 ${due?.numerator ?? 0} 次。`
        : `${slips.size} requisition slips (${partsTotal} parts) this period; ${lent} stand-ins lent, ${returned} returned, ${overdue.length} overdue at the end. ${sent} devices sent for repair, ${back} back (${backOnTime} by the target), ${accepted} accepted; ${away.length} still with the vendor at the end. ${due?.denominator ?? 0} progress reports fell due, ${due?.numerator ?? 0} written on time.`,
    },
    ...(await kpiBlock(input, PARTS_VENDOR_KPIS)),
  ];

  if (byModel.size) {
    const rows = [...byModel.entries()].sort((a, b) => b[1].quantity - a[1].quantity || a[0].localeCompare(b[0], 'zh-CN'));
    blocks.push({
      type: 'table',
      title: z ? '备件领用（按型号）' : 'Parts requisitioned by model',
      columns: [col(z, 'model', '备件（类型 品牌 型号）', 'Part (type, brand, model)'), col(z, 'quantity', '数量', 'Quantity', 'right'), col(z, 'unit', '单位', 'Unit', 'center'), col(z, 'slips', '领用单数', 'Slips', 'right')],
      rows: rows.map(([model, m]) => ({ model, quantity: m.quantity, unit: m.unit, slips: m.slips.size })),
    });
    if (rows.length > 1) {
      const top = rows.slice(0, 10);
      blocks.push({ type: 'chart', title: z ? '备件领用数量' : 'Parts requisitioned', chart: { kind: 'bar', categories: top.map(([m]) => m), series: [{ name: z ? '数量' : 'Quantity', data: top.map(([, m]) => m.quantity) }], unit: z ? '件' : '' } });
    }
    blocks.push({
      type: 'table',
      title: z ? '备件领用单' : 'Requisition slips',
      columns: [col(z, 'number', '领用单号', 'Slip'), col(z, 'at', '领用时间', 'Time'), col(z, 'ticket', '工单', 'Ticket'), col(z, 'parts', '备件', 'Parts'), col(z, 'by', '领用人', 'By')],
      rows: [...slips.values()].map((s) => ({ number: s.number, at: localTime(s.at, input.timeZone), ticket: s.ticket, parts: [...s.parts].map(([m, q]) => `${m} ×${q}`).join('；'), by: s.by })),
    });
  }

  if (standins.length) {
    blocks.push({
      type: 'table',
      title: z ? '备机借用' : 'Stand-in machines',
      columns: [col(z, 'serial', '序列号', 'Serial'), col(z, 'model', '型号', 'Model'), col(z, 'lentAt', '借出时间', 'Lent'), col(z, 'dueBack', '约定归还', 'Due back'), col(z, 'returnedAt', '归还时间', 'Returned'), col(z, 'status', '状态', 'Status', 'center')],
      rows: standins.map((s) => {
        const item = itemOf.get(s.itemId);
        const late = overdueAt(s, endAt, endDate);
        const days = late ? Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${s.dueBack}T00:00:00Z`)) / DAY) : 0;
        const backBy = s.returnedAt !== null && s.returnedAt < input.end;
        return {
          serial: item?.serial ?? null,
          model: item ? modelLabel(item) : null,
          lentAt: localTime(s.lentAt, input.timeZone),
          dueBack: s.dueBack,
          returnedAt: backBy ? localTime(s.returnedAt, input.timeZone) : null,
          status: backBy ? (localDayOf(s.returnedAt!, input.timeZone) > s.dueBack ? (z ? '逾期归还' : 'Returned late') : z ? '已归还' : 'Returned') : late ? (z ? `逾期 ${days} 天` : `${days} d overdue`) : z ? '借用中' : 'Lent',
        };
      }),
    });
  }

  if (low.length) {
    blocks.push({
      type: 'table',
      title: z ? '客户备件库低于最低库存（生成报告时）' : "Stock under its minimum at the customer's stores (when generated)",
      columns: [col(z, 'warehouse', '仓库', 'Store'), col(z, 'model', '备件', 'Part'), col(z, 'quantity', '现有', 'In stock', 'right'), col(z, 'min', '最低库存', 'Minimum', 'right'), col(z, 'topUp', '需补充', 'To top up', 'right')],
      rows: low.map((r) => ({ warehouse: r.warehouse, model: modelLabel(r), quantity: Number(r.quantity), min: Number(r.min_quantity), topUp: Number(r.min_quantity) - Number(r.quantity) })),
    });
  }

  if (orders.length) {
    blocks.push({
      type: 'chart',
      title: z ? '厂商维修' : 'Vendor repairs',
      chart: {
        kind: 'bar',
        categories: z ? ['送修', '返回', '按期返回', '验收', '期末在修'] : ['Sent', 'Back', 'Back by target', 'Accepted', 'Away at end'],
        series: [{ name: z ? '台数' : 'Devices', data: [sent, back, backOnTime, accepted, away.length] }],
        unit: z ? '台' : '',
      },
    });
    blocks.push({
      type: 'table',
      title: z ? '设备送修单' : 'Send-for-repair orders',
      columns: [...orderColumns(z), col(z, 'returned', '返回', 'Back'), col(z, 'onTime', '按期', 'By target', 'center'), col(z, 'reports', '本期进度报告', 'Reports', 'center'), col(z, 'state', '状态', 'State', 'center')],
      rows: orders.map((o) => {
        const p = progressOf.get(Number(o.id)) ?? { n: 0, late: 0 };
        const met = onTime(o);
        const overdueNotes = Number(o.reports_overdue);
        return {
          number: o.number,
          device: o.device,
          vendor: o.vendor,
          sent: localTime(Number(o.sent_at), input.timeZone),
          target: o.target_return,
          returned: backAt(o) === null ? null : localTime(backAt(o), input.timeZone),
          onTime: met === null ? '—' : met ? (z ? '按期' : 'yes') : z ? '逾期' : 'late',
          reports: z ? `${p.n} 份${p.late ? `（逾期 ${p.late}）` : ''}${overdueNotes ? `；逾期未报 ${overdueNotes} 次` : ''}` : `${p.n}${p.late ? ` (${p.late} late)` : ''}${overdueNotes ? `; ${overdueNotes} missed` : ''}`,
          state: pick(STATE[o.state], input.locale, o.state),
        };
      }),
      note: z ? '进度报告：每3个工作日一次（合同日历）；“逾期未报”为该送修单累计的到期未报次数。按期：返回日期（客户时区）不晚于目标返回日（送修后第二个周末前）。' : 'Progress reports: every 3 working days (the contract\'s calendar); "missed" counts the order\'s due instants passed without a report. By target: back (customer\'s local date) on or before the target day ("before the second weekend").',
    });
  }

  if (away.length) {
    blocks.push({
      type: 'table',
      title: z ? '期末仍在厂商处的设备' : 'Devices still with the vendor at the end',
      columns: [...orderColumns(z), col(z, 'days', '在外天数', 'Days away', 'right')],
      rows: away.map((o) => ({
        number: o.number,
        device: o.device,
        vendor: o.vendor,
        sent: localTime(Number(o.sent_at), input.timeZone),
        target: o.target_return ? `${o.target_return}${o.target_return < endDate ? (z ? '（已过）' : ' (passed)') : ''}` : null,
        days: Math.floor((endAt - Number(o.sent_at)) / DAY),
      })),
    });
  }
  return blocks;
}

/**
 * The faults section's CI view (R38): where the period's incidents name CIs (ticket_cis), the
 * incidents by CI type and the CIs with the most incidents. A ticket naming two CIs counts for each.
 */
export async function faultCis(input: SectionInput): Promise<ReportBlock[]> {
  const z = zh(input.locale);
  const base = input.db
    .selectFrom('tickets')
    .innerJoin('ticket_cis', 'ticket_cis.ticket_id', 'tickets.id')
    .innerJoin('cis', 'cis.id', 'ticket_cis.ci_id')
    .where('tickets.customer_id', '=', input.customerId)
    .where('tickets.contract_id', '=', input.contractId)
    .where('tickets.reported_at', '>=', input.start)
    .where('tickets.reported_at', '<', input.end)
    .where('tickets.state', '!=', 'cancelled')
    .where('tickets.kind', '=', 'incident');
  const [byType, top, named] = await Promise.all([
    base
      .innerJoin('ci_types', 'ci_types.id', 'cis.type_id')
      .select(['ci_types.name_zh', 'ci_types.name_en', (eb) => eb.fn.count<number>('tickets.id').distinct().as('n')])
      .groupBy(['ci_types.name_zh', 'ci_types.name_en'])
      .execute(),
    base
      .leftJoin('sites', 'sites.id', 'cis.site_id')
      .select(['cis.id', 'cis.code', 'cis.name', 'sites.name as site', (eb) => eb.fn.count<number>('tickets.id').distinct().as('n')])
      .groupBy(['cis.id', 'cis.code', 'cis.name', 'sites.name'])
      .execute(),
    base.select((eb) => eb.fn.count<number>('tickets.id').distinct().as('n')).executeTakeFirst(),
  ]);
  const withCis = Number(named?.n ?? 0);
  if (!withCis) return [{ type: 'text', text: z ? '本期故障工单未关联配置项。' : 'No incident of the period names a configuration item.' }];
  const types = byType.map((r) => ({ name: z ? r.name_zh : r.name_en, n: Number(r.n) })).sort((a, b) => b.n - a.n || a.name.localeCompare(b.name, 'zh-CN'));
  const cis = top.map((r) => ({ code: r.code, name: r.name, site: r.site ?? null, n: Number(r.n) })).sort((a, b) => b.n - a.n || a.code.localeCompare(b.code)).slice(0, 10);
  return [
    { type: 'text', text: z ? `本期有 ${withCis} 件故障工单关联了配置项，按配置项类型与故障次数统计如下（一件工单关联多个配置项时分别计入）。` : `${withCis} incidents of the period name configuration items; by CI type and the CIs with the most incidents (a ticket naming several CIs counts for each).` },
    { type: 'chart', title: z ? '故障（按配置项类型）' : 'Incidents by CI type', chart: { kind: 'bar', categories: types.map((t) => t.name), series: [{ name: z ? '故障' : 'Incidents', data: types.map((t) => t.n) }], unit: z ? '件' : '' } },
    {
      type: 'table',
      title: z ? '故障次数最多的配置项' : 'CIs with the most incidents',
      columns: [col(z, 'code', '配置项编号', 'CI code'), col(z, 'name', '名称', 'Name'), col(z, 'site', '地点', 'Site'), col(z, 'n', '故障次数', 'Incidents', 'right')],
      rows: cis,
    },
  ];
}

/**
 * 资产与盘点 (the quarterly and annual O&M reports): the asset register at the period's end by CI
 * type (assets recorded before it and not disposed by then), warranties ending in the 90 days
 * after it, and the verification campaigns of the period with their found / missing / difference
 * counts. Assets belong to the customer, not to a contract.
 */
export async function assetsSection(input: SectionInput): Promise<ReportBlock[]> {
  const z = zh(input.locale);
  const lastDay = localDayOf(input.end - 1, input.timeZone);
  const register = await input.db
    .selectFrom('ci_assets')
    .innerJoin('cis', 'cis.id', 'ci_assets.ci_id')
    .innerJoin('ci_types', 'ci_types.id', 'cis.type_id')
    .select(['ci_types.name_zh', 'ci_types.name_en', (eb) => eb.fn.countAll<number>().as('n')])
    .where('ci_assets.customer_id', '=', input.customerId)
    .where('ci_assets.created_at', '<', input.end)
    .where((eb) => eb.or([eb('ci_assets.disposed_date', 'is', null), eb('ci_assets.disposed_date', '>', lastDay)]))
    .groupBy(['ci_types.name_zh', 'ci_types.name_en'])
    .execute();
  const types = register.map((r) => ({ name: z ? r.name_zh : r.name_en, n: Number(r.n) })).sort((a, b) => b.n - a.n || a.name.localeCompare(b.name, 'zh-CN'));
  const total = types.reduce((n, t) => n + t.n, 0);
  const in90 = new Date(Date.parse(`${lastDay}T00:00:00Z`) + 90 * DAY).toISOString().slice(0, 10);
  const expiring = await input.db
    .selectFrom('ci_assets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', input.customerId)
    .where('disposed_date', 'is', null)
    .where('warranty_end', '>', lastDay)
    .where('warranty_end', '<=', in90)
    .executeTakeFirst();
  const campaigns = await input.db
    .selectFrom('asset_campaigns')
    .leftJoin('sites', 'sites.id', 'asset_campaigns.site_id')
    .select(['asset_campaigns.id', 'asset_campaigns.name', 'asset_campaigns.period', 'asset_campaigns.state', 'asset_campaigns.total', 'asset_campaigns.closed_at', 'sites.name as site'])
    .where('asset_campaigns.customer_id', '=', input.customerId)
    .where('asset_campaigns.state', '!=', 'cancelled')
    .where('asset_campaigns.created_at', '<', input.end)
    .where((eb) => eb.or([eb('asset_campaigns.closed_at', 'is', null), eb('asset_campaigns.closed_at', '>=', input.start)]))
    .orderBy('asset_campaigns.id')
    .execute();
  const counts = campaigns.length
    ? await input.db
        .selectFrom('asset_campaign_items')
        .select(['campaign_id', 'result', (eb) => eb.fn.countAll<number>().as('n')])
        .where('campaign_id', 'in', campaigns.map((c) => Number(c.id)))
        .groupBy(['campaign_id', 'result'])
        .execute()
    : [];
  const countOf = (id: number, result: string) => Number(counts.find((c) => Number(c.campaign_id) === id && c.result === result)?.n ?? 0);
  const STATES: Record<string, [string, string]> = { open: ['盘点中', 'Open'], review: ['待审核', 'In review'], closed: ['已结束', 'Closed'] };
  const blocks: ReportBlock[] = [
    {
      type: 'text',
      text: z
        ? `期末资产台账共 ${total} 项（未处置），其中保修将于期末后 90 天内到期 ${Number(expiring?.n ?? 0)} 项；本期资产盘点 ${campaigns.length} 次。`
        : `${total} assets on the register at the end (not disposed), ${Number(expiring?.n ?? 0)} with the warranty ending within 90 days after it; ${campaigns.length} verification campaigns in the period.`,
    },
  ];
  if (types.length) {
    blocks.push({
      type: 'table',
      title: z ? '资产台账（按配置项类型）' : 'Asset register by CI type',
      columns: [col(z, 'type', '类型', 'Type'), col(z, 'n', '数量', 'Count', 'right')],
      rows: types.map((t) => ({ type: t.name, n: t.n })),
    });
    if (types.length > 1) blocks.push({ type: 'chart', title: z ? '资产构成' : 'Assets by type', chart: { kind: 'pie', categories: types.map((t) => t.name), series: [{ name: z ? '资产' : 'Assets', data: types.map((t) => t.n) }], unit: z ? '项' : '' } });
  }
  if (campaigns.length) {
    blocks.push({
      type: 'table',
      title: z ? '资产盘点' : 'Verification campaigns',
      columns: [col(z, 'name', '盘点', 'Campaign'), col(z, 'site', '范围', 'Scope'), col(z, 'state', '状态', 'State', 'center'), col(z, 'total', '应盘', 'To check', 'right'), col(z, 'found', '账实相符', 'Found', 'right'), col(z, 'missing', '缺失', 'Missing', 'right'), col(z, 'differences', '位置/属性不符', 'Differences', 'right'), col(z, 'pending', '未盘点', 'Pending', 'right'), col(z, 'closed', '结束', 'Closed')],
      rows: campaigns.map((c) => {
        const id = Number(c.id);
        return {
          name: c.name,
          site: c.site ?? (z ? '全部地点' : 'All sites'),
          state: pick(STATES[c.state], input.locale, c.state),
          total: Number(c.total),
          found: countOf(id, 'found'),
          missing: countOf(id, 'missing'),
          differences: countOf(id, 'wrong_location') + countOf(id, 'wrong_attributes'),
          pending: countOf(id, 'pending'),
          closed: c.closed_at === null ? null : localTime(Number(c.closed_at), input.timeZone),
        };
      }),
    });
  }
  return blocks;
}
