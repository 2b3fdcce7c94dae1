export type { ClockState, EscalationAction, EscalationStep, MetricClock, MetricTargets, SlaCode, SlaMetric, SlaPolicy, SlaTarget, TargetUnit, TicketEvent, TicketState } from './types.js';
export { ANY_PRIORITY, ESCALATION_ACTIONS, SLA_METRICS, SlaError, TARGET_UNITS } from './types.js';
export { validatePolicy } from './validate.js';
export { computeClocks, nextWakeAt } from './clock.js';
export { SERVICE_DESK_LIMITS, slaTemplates, type SlaTemplate } from './templates.js';
export { computeOla, DESK_OLA_MINUTES, isOpenOla, nextOlaWake, OLA_TARGETS, type OlaClock, type OlaEvent, type OlaMinutes, type OlaState, type OlaTarget } from './ola.js';
