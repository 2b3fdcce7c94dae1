import { z } from 'zod';
import { instantToZoned } from '../../core/calendar/index.js';
import { ANY_PRIORITY, type SlaTarget } from '../../core/sla/index.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { registerMessages, t, type Locale } from '../../platform/i18n/index.js';
import { getSetting } from '../../platform/settings/index.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import { contractSla } from './sla.js';

/**
 * What the portal tells a customer's staff about the service they get (REQ #5, #6): the service
 * desk's hotline and hours (DESK_HOTLINE, DESK_HOURS, else the settings desk.hotline, desk.hours), the customer's service mailboxes (mail-in
 * mailboxes of the customer, enabled), and the contract in force today with its service hours,
 * its calendar and the SLA commitments per priority in plain words
 * ("紧急：15 分钟内响应，2 小时内到场，4 小时内解决"), in the reader's language.
 */
const targetOut = z.object({ amount: z.number(), unit: z.enum(['minutes', 'hours', 'workdays']), calendarName: z.string() });
export const portalInfoOut = z.object({
  desk: z.object({ hotline: z.string().nullable(), hours: z.string().nullable() }),
  mailboxes: z.array(z.object({ address: z.string(), name: z.string().nullable() })),
  contract: z
    .object({
      id: z.number(),
      code: z.string(),
      name: z.string(),
      startsOn: z.string(),
      endsOn: z.string(),
      /** As written on the contract (5x8, 7x24 or free text). */
      serviceHours: z.string(),
      calendarName: z.string().nullable(),
      commitments: z.array(
        z.object({
          priority: z.string(),
          name: z.string(),
          rank: z.number(),
          response: targetOut.nullable(),
          onsite: targetOut.nullable(),
          resolution: targetOut.nullable(),
          /** The commitment in the reader's language, e.g. 紧急：15 分钟内响应，2 小时内到场，4 小时内解决. */
          text: z.string(),
        }),
      ),
    })
    .nullable(),
});
export type PortalInfo = z.input<typeof portalInfoOut>;
type Target = z.input<typeof targetOut>;

/** Settings keys of the desk's hotline and hours (the environment's DESK_HOTLINE / DESK_HOURS win). */
export const DESK_HOTLINE_KEY = 'desk.hotline';
export const DESK_HOURS_KEY = 'desk.hours';

/** The commitments the portal states, in this order. */
const METRICS = ['response', 'onsite', 'resolution'] as const;
type Metric = (typeof METRICS)[number];

registerMessages({
  'portal.commitment': { zh: '{level}：{parts}', en: '{level}: {parts}' },
  'portal.commitment.separator': { zh: '，', en: ', ' },
  'portal.commitment.none': { zh: '合同未约定时限', en: 'no time limit in the contract' },
  'portal.commitment.response': { zh: '{within}内响应', en: 'response within {within}' },
  'portal.commitment.onsite': { zh: '{within}内到场', en: 'on site within {within}' },
  'portal.commitment.resolution': { zh: '{within}内解决', en: 'resolved within {within}' },
  'portal.unit.minutes': { zh: '{n} 分钟', en: '{n} minutes' },
  'portal.unit.hours': { zh: '{n} 小时', en: '{n} hours' },
  'portal.unit.workdays': { zh: '{n} 个工作日', en: '{n} working days' },
});

/** "2 小时" / "90 分钟" (an hour target that is not whole is said in minutes) / "5 个工作日". */
function within(locale: Locale, target: Target): string {
  if (target.unit === 'hours' && !Number.isInteger(target.amount)) return t(locale, 'portal.unit.minutes', { n: Math.round(target.amount * 60) });
  return t(locale, `portal.unit.${target.unit}`, { n: target.amount });
}

export function commitmentText(locale: Locale, level: string, targets: Partial<Record<Metric, Target | null>>): string {
  const parts = METRICS.filter((m) => targets[m]).map((m) => t(locale, `portal.commitment.${m}`, { within: within(locale, targets[m]!) }));
  return t(locale, 'portal.commitment', { level, parts: parts.length ? parts.join(t(locale, 'portal.commitment.separator')) : t(locale, 'portal.commitment.none') });
}

export class PortalInfoService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly organisation: OrganisationService,
    private readonly calendars: CalendarService,
  ) {}

  /** DESK_HOTLINE / DESK_HOURS, else the stored settings `desk.hotline` / `desk.hours` (platform/settings). */
  private async desk(): Promise<PortalInfo['desk']> {
    const stored = async (key: string) => {
      const v = await getSetting<unknown>(this.db, key);
      return typeof v === 'string' && v.trim() ? v.trim() : null;
    };
    return { hotline: this.config.desk.hotline ?? (await stored(DESK_HOTLINE_KEY)), hours: this.config.desk.hours ?? (await stored(DESK_HOURS_KEY)) };
  }

  async info(actor: Actor, now = Date.now()): Promise<PortalInfo> {
    if (actor.customerId === null) throw AppError.notFound();
    const customer = await this.organisation.getCustomer(actor, actor.customerId);
    const [mailboxes, contract] = await Promise.all([
      this.db.selectFrom('mail_mailboxes').select(['address', 'name']).where('customer_id', '=', customer.id).where('enabled', '=', 1).orderBy('id').execute(),
      this.organisation.contractInForce(customer.id, instantToZoned(now, customer.timeZone).date),
    ]);
    const names = new Map<string, string | null>();
    const calendarName = async (id: string) => {
      if (!names.has(id)) names.set(id, await this.calendars.get(id).then((c) => c.spec.name, () => null));
      return names.get(id)!;
    };
    let out: PortalInfo['contract'] = null;
    if (contract) {
      const sla = contractSla(contract);
      const commitments: NonNullable<PortalInfo['contract']>['commitments'] = [];
      for (const level of [...(sla?.matrix.levels ?? [])].sort((a, b) => a.rank - b.rank)) {
        const own = sla!.policy.targets[level.code] ?? {};
        const any = sla!.policy.targets[ANY_PRIORITY] ?? {};
        const targets: Partial<Record<Metric, Target | null>> = {};
        for (const metric of METRICS) {
          const target: SlaTarget | undefined = own[metric] ?? any[metric];
          targets[metric] = target ? { amount: target.amount, unit: target.unit, calendarName: (await calendarName(target.calendarId)) ?? target.calendarId } : null;
        }
        commitments.push({ priority: level.code, name: level.name, rank: level.rank, response: targets.response ?? null, onsite: targets.onsite ?? null, resolution: targets.resolution ?? null, text: commitmentText(actor.locale, level.name, targets) });
      }
      out = {
        id: contract.id,
        code: contract.code,
        name: contract.name,
        startsOn: contract.startsOn,
        endsOn: contract.endsOn,
        serviceHours: contract.serviceHours,
        calendarName: await calendarName(contract.calendarId),
        commitments,
      };
    }
    return { desk: await this.desk(), mailboxes: mailboxes.map((m) => ({ address: m.address, name: m.name })), contract: out };
  }
}

export function portalInfoRoutes(app: ZApp, service: PortalInfoService) {
  app.get(
    '/api/v1/portal/info',
    {
      config: { permission: 'portal.use' },
      schema: {
        tags: ['portal'],
        summary: 'The service as the caller\'s customer gets it: the desk\'s hotline and hours, the customer\'s service mailboxes, the contract in force and its SLA commitments in plain words',
        response: { 200: portalInfoOut },
      },
    },
    async (request) => service.info(actorOf(request)),
  );
}
