import type { Db } from '../../db/index.js';
import { DEFAULT_PRIORITY_MATRIX, priorityOf, validateMatrix, type PriorityLevel, type PriorityMatrix } from '../../core/priority.js';
import { computeClocks, slaTemplates, validatePolicy, type SlaPolicy, type SlaTemplate } from '../../core/sla/index.js';
import type { CompiledCalendar } from '../../core/calendar/index.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { OrganisationService } from '../organisation/service.js';
import { AppError } from '../../platform/http/errors.js';
import type { CalendarService } from './calendars.service.js';
import * as calRepo from './calendars.repo.js';

/**
 * A contract's service level agreement: the priority matrix that turns impact × urgency into a
 * priority level, and the SLA policy with targets per level. Stored as JSON in
 * `contracts.sla_policy`, a column this module owns (the organisation module never reads it).
 */
export interface ContractSla {
  templateId: string | null;
  matrix: PriorityMatrix;
  policy: SlaPolicy;
}

/**
 * A 3×3 impact × urgency matrix over a template's levels: the worse of the two axes decides,
 * spread over as many levels as the template has (rank 1 = both high).
 */
export function matrixForLevels(levels: PriorityLevel[]): PriorityMatrix {
  if (levels.length === 0) return structuredClone(DEFAULT_PRIORITY_MATRIX);
  const sorted = [...levels].sort((a, b) => a.rank - b.rank);
  const axis = DEFAULT_PRIORITY_MATRIX.impacts.map((v) => v.code);
  const cells: PriorityMatrix['cells'] = {};
  axis.forEach((impact, i) => {
    cells[impact] = {};
    axis.forEach((urgency, u) => {
      // i + u runs 0 (both high) … 4 (both low); map it onto the levels.
      const idx = Math.min(sorted.length - 1, Math.round(((i + u) / 4) * (sorted.length - 1)));
      cells[impact][urgency] = sorted[idx].code;
    });
  });
  return { impacts: structuredClone(DEFAULT_PRIORITY_MATRIX.impacts), urgencies: structuredClone(DEFAULT_PRIORITY_MATRIX.urgencies), levels: sorted, cells };
}

export class SlaPolicyService {
  constructor(
    private readonly db: Db,
    private readonly calendars: CalendarService,
    private readonly organisation: OrganisationService,
  ) {}

  templates(): SlaTemplate[] {
    return slaTemplates();
  }

  async get(actor: Actor, contractId: number): Promise<{ sla: ContractSla | null; version: number }> {
    const contract = await this.organisation.getContract(actor, contractId);
    return { sla: contract.slaPolicy as ContractSla | null, version: contract.version };
  }

  /** Validates a matrix and policy together: every level has a target or a `*` fallback, every calendar exists. */
  async validate(sla: Omit<ContractSla, 'templateId'>): Promise<void> {
    const problems = validateMatrix(sla.matrix).map((p) => ({ ...p, field: p.field ? `matrix.${p.field}` : 'matrix' }));
    const calendarIds = (await calRepo.listCalendars(this.db)).map((c) => c.spec.id);
    const priorities = Array.isArray(sla.matrix?.levels) ? sla.matrix.levels.map((l) => l.code) : [];
    problems.push(...validatePolicy(sla.policy, { priorities, calendarIds }).map((p) => ({ ...p, field: p.field ? `policy.${p.field}` : 'policy' })));
    if (problems.length) throw AppError.validation(problems);
  }

  async save(actor: Actor, contractId: number, sla: ContractSla, version: number): Promise<{ sla: ContractSla; version: number }> {
    await this.organisation.getContract(actor, contractId);
    await this.validate(sla);
    const contract = await this.organisation.setContractSla(actor, contractId, sla as unknown as Record<string, unknown>, version);
    return { sla, version: contract.version };
  }

  /** Builds a contract SLA from a template (creating the calendars it needs) and saves it. */
  async applyTemplate(actor: Actor, contractId: number, templateId: string, policyId: string | undefined, version: number) {
    const template = slaTemplates().find((t) => t.id === templateId);
    if (!template) throw AppError.field('templateId', 'invalid');
    const policy = policyId ? template.policies.find((p) => p.id === policyId) : template.policies[0];
    if (!policy) throw AppError.field('policyId', 'invalid');
    await this.organisation.getContract(actor, contractId);
    for (const spec of template.calendars) {
      if (!(await calRepo.findCalendar(this.db, spec.id))) await this.calendars.create(actor, spec);
    }
    return this.save(actor, contractId, { templateId, matrix: matrixForLevels(template.levels), policy }, version);
  }

  /**
   * "What if": a ticket of priority P (or impact × urgency) reported at T — its due instant and
   * warning instants on each metric, from the same clock function the tickets use.
   */
  async preview(sla: Omit<ContractSla, 'templateId'>, input: { priority?: string; impact?: string; urgency?: string; reportedAt: number }) {
    await this.validate(sla);
    let priority = input.priority;
    if (!priority) {
      if (!input.impact || !input.urgency) throw AppError.field('priority', 'required');
      try {
        priority = priorityOf(sla.matrix, input.impact, input.urgency);
      } catch {
        throw AppError.field(input.impact && sla.matrix.impacts.some((i) => i.code === input.impact) ? 'urgency' : 'impact', 'invalid');
      }
    }
    if (!sla.matrix.levels.some((l) => l.code === priority)) throw AppError.field('priority', 'invalid');
    const ids = new Set<string>();
    for (const targets of Object.values(sla.policy.targets)) {
      for (const t of Object.values(targets)) {
        if (t) ids.add(t.calendarId);
        if (t?.latest?.calendarId) ids.add(t.latest.calendarId);
      }
    }
    const cals = new Map<string, CompiledCalendar>();
    for (const id of ids) cals.set(id, await this.calendars.compiled(id));
    // Clocks counted "after diagnosis" are shown as if the fault were diagnosed at the report.
    const clocks = computeClocks([{ type: 'reported', at: input.reportedAt, priority }, { type: 'diagnosed', at: input.reportedAt }], sla.policy, cals, input.reportedAt);
    return {
      priority,
      metrics: clocks.map((c) => {
        const cal = cals.get(c.calendarId)!;
        const span = c.dueAt === null ? 0 : cal.workingMsBetween(c.startedAt, c.dueAt);
        return {
          metric: c.metric,
          calendarId: c.calendarId,
          timeZone: cal.timeZone,
          targetMinutes: Math.round(c.targetMs / 60_000),
          dueAt: c.dueAt,
          warnings: sla.policy.warnings.map((p) => ({ percent: p, at: cal.addWorkingMs(c.startedAt, Math.round((span * p) / 100)) })),
        };
      }),
    };
  }
}
