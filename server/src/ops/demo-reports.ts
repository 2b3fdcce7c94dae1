import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import { lastEndedPeriod, previousPeriod, type Period } from '../core/reporting/due.js';
import type { Actor } from '../platform/auth/actor.js';
import { AppError } from '../platform/http/errors.js';
import { CalendarService } from '../modules/sla/calendars.service.js';
import { MetricsService } from '../modules/reporting/metrics.service.js';
import { ReportGenerator } from '../modules/reporting/reports.generate.service.js';
import { ReportLifecycle } from '../modules/reporting/reports.lifecycle.service.js';
import { setSetting } from '../platform/settings/index.js';
import { LETTERHEAD_KEY } from '../modules/reporting/reports.templates.service.js';
import '../modules/reporting/reports.messages.js';

/**
 * The demo's service reports (docs/REPORTS.md), made through the reports module's own services
 * once the history is loaded: the hospital's monthly service report of two months ago issued and
 * signed off by its administrator; the tax office's repair summary of last month issued and
 * awaiting sign-off; the hospital's monthly service report of last month a draft, overdue once
 * the 5th has passed. The generation job adds the other drafts when the server starts.
 */
type CustomerKey = 'hospital' | 'tax' | 'school';

const SUMMARY: Record<string, string> = {
  signed: '本月运维服务总体平稳，核心业务系统（HIS、PACS、LIS）未发生中断。服务台共受理报修与服务请求若干件，均按合同 SLA 处理；放射科打印机卡纸问题经更换搓纸轮后未再复发。\n\n下月将配合信息科完成机房 UPS 电池更换，并对门诊楼无线网络做一次覆盖测试。',
  awaiting: '本月完成现场维修若干次，主要为打印机、门禁和网络设备故障，均已修复并由客户签字确认。备件消耗正常。',
  overdue: '（待项目经理补充本月服务概述）',
};

export async function loadServiceReports(
  db: Db,
  config: Config,
  ctx: { customerIds: Record<CustomerKey, number>; userIds: Map<string, number>; actorOf: (userId: number) => Promise<Actor> },
  log: (line: string) => void,
  now = Date.now(),
): Promise<number> {
  const generator = new ReportGenerator(db, new CalendarService(db), new MetricsService(db));
  const reports = new ReportLifecycle(db, config, generator);
  const pm = await ctx.actorOf(ctx.userIds.get('pm')!);
  const admin = await ctx.actorOf(ctx.userIds.get('admin')!);
  const hospitalAdmin = await ctx.actorOf(ctx.userIds.get('hospital_admin')!);
  await setSetting(db, LETTERHEAD_KEY, { text: '华信运维服务有限公司 · 服务热线 400-800-6688', logoBlobId: null, logoSha256: null, logoMime: null });

  // The contract that ran during the period (the demo has last year's and this year's).
  const contractOf = async (customer: CustomerKey, period: Period) => {
    const row = await db
      .selectFrom('contracts')
      .select('id')
      .where('customer_id', '=', ctx.customerIds[customer])
      .where('starts_on', '<=', period.from)
      .where('ends_on', '>=', period.to)
      .orderBy('starts_on', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.id) : null;
  };
  const last = lastEndedPeriod('month', now, 'Asia/Shanghai');
  let made = 0;
  const make = async (who: Actor, customer: CustomerKey, type: string, period: Period, text: string) => {
    const contractId = await contractOf(customer, period);
    if (contractId === null) {
      log(`service report ${customer} ${type} ${period.key} skipped: no contract ran the whole period`);
      return null;
    }
    try {
      let r = await reports.generate(who, { contractId, type: type as 'monthly_service', period: period.key });
      r = await reports.editNarratives(who, r.id, r.version, { summary: text });
      made++;
      return r;
    } catch (err) {
      // A period before the contract (a demo loaded early in the year): that report is simply not in the demo.
      if (err instanceof AppError && err.status === 400) {
        log(`service report ${customer} ${type} ${period.key} skipped: ${err.messageKey}`);
        return null;
      }
      throw err;
    }
  };

  const signed = await make(pm, 'hospital', 'monthly_service', previousPeriod(last), SUMMARY.signed);
  if (signed) {
    const issued = await reports.issue(pm, signed.id, signed.version);
    await reports.signoff(hospitalAdmin, issued.id, issued.version, '陈志远', '报告内容属实，同意。');
  }
  const awaiting = await make(admin, 'tax', 'monthly_repair', last, SUMMARY.awaiting);
  if (awaiting) await reports.issue(admin, awaiting.id, awaiting.version);
  await make(pm, 'hospital', 'monthly_service', last, SUMMARY.overdue);
  log(`service reports: ${made} (the hospital's ${previousPeriod(last).key} signed off, the tax office's ${last.key} repair summary awaiting sign-off, the hospital's ${last.key} monthly report a draft)`);
  return made;
}
