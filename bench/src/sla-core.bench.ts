/**
 * Micro-benchmark of the pure SLA core (server/src/core): deadlines per second on the built-in
 * cn-5x8 calendar for 1 hour, 5 working days and 60 working days away, and the cost of
 * recomputing the clocks of a ticket with 50 events. Prints one JSON object to stdout.
 *
 *   cd bench && npx tsx src/sla-core.bench.ts
 *
 * Targets (docs/sla-rules.md): ≥ 300,000 addWorkingMinutes per second on one core, about the
 * same for every distance; < 20 µs per 50-event recompute.
 */
import { compileCalendar, builtinCalendarSpecs, compileBuiltinCalendars } from '../../server/src/core/calendar/index.js';
import { computeClocks, slaTemplates, type TicketEvent } from '../../server/src/core/sla/index.js';

const H = 3_600_000;
const MIN = 60_000;

/** Deterministic starts spread over 2025–2026 (a small LCG: same numbers every run). */
function starts(n: number): Float64Array {
  const out = new Float64Array(n);
  let x = 42;
  const from = Date.UTC(2025, 0, 1);
  const span = Date.UTC(2027, 0, 1) - from;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = from + Math.floor((x / 2147483648) * span);
  }
  return out;
}

/**
 * Runs `op` over the inputs for at least `minMs` of CPU time, after a warm-up, in three rounds;
 * reports the best round. CPU time (process.cpuUsage) rather than wall time, so that other work
 * on a shared machine does not count against the code measured.
 */
function measure(inputs: Float64Array, op: (x: number) => number, minMs = 500): { opsPerSec: number; nsPerOp: number } {
  let sink = 0;
  for (let i = 0; i < inputs.length; i++) sink += op(inputs[i]);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let ops = 0;
    const c0 = process.cpuUsage();
    let cpuMs = 0;
    while (cpuMs < minMs) {
      for (let i = 0; i < inputs.length; i++) sink += op(inputs[i]);
      ops += inputs.length;
      const c = process.cpuUsage(c0);
      cpuMs = (c.user + c.system) / 1000;
    }
    best = Math.min(best, (cpuMs * 1e6) / ops);
  }
  if (sink === 42) console.error('');
  return { opsPerSec: Math.round(1e9 / best), nsPerOp: Math.round(best) };
}

function fiftyEvents(reportedAt: number): TicketEvent[] {
  const events: TicketEvent[] = [{ type: 'reported', at: reportedAt, priority: 'routine' }];
  let t = reportedAt;
  const next = (minutes: number) => (t += minutes * MIN);
  events.push({ type: 'state_changed', at: next(5), from: 'new', to: 'assigned' });
  events.push({ type: 'responded', at: next(20) });
  events.push({ type: 'state_changed', at: next(10), from: 'assigned', to: 'in_progress' });
  events.push({ type: 'priority_changed', at: next(30), priority: 'priority' });
  while (events.length < 46) {
    events.push({ type: 'state_changed', at: next(90), from: 'in_progress', to: 'waiting_customer' });
    events.push({ type: 'state_changed', at: next(240), from: 'waiting_customer', to: 'in_progress' });
  }
  events.push({ type: 'resolved', at: next(60) });
  events.push({ type: 'reopened', at: next(600) });
  events.push({ type: 'state_changed', at: next(1), from: 'resolved', to: 'in_progress' });
  events.push({ type: 'priority_changed', at: next(30), priority: 'emergency' });
  return events;
}

const coldStart = performance.now();
const calendars = compileBuiltinCalendars();
const compileMs = performance.now() - coldStart;
const cn = calendars.get('cn-5x8')!;
const firstCallStart = performance.now();
cn.addWorkingMinutes(Date.UTC(2025, 5, 1), 60);
const firstCallMs = performance.now() - firstCallStart;

const inputs = starts(4096);
// Steady state: one calendar, its blocks built by the warm-up pass of each measurement.
const results = {
  node: process.version,
  calendar: 'cn-5x8',
  compileBuiltinsMs: Number(compileMs.toFixed(2)),
  firstCallMs: Number(firstCallMs.toFixed(2)),
  addWorkingMinutes: {
    '1h': measure(inputs, (s) => cn.addWorkingMinutes(s, 60)),
    '5wd (2400 min)': measure(inputs, (s) => cn.addWorkingMinutes(s, 5 * 8 * 60)),
    '60wd (28800 min)': measure(inputs, (s) => cn.addWorkingMinutes(s, 60 * 8 * 60)),
  },
  addWorkingDays: {
    '5': measure(inputs, (s) => cn.addWorkingDays(s, 5)),
    '60': measure(inputs, (s) => cn.addWorkingDays(s, 60)),
  },
  workingMsBetween: { '30 days apart': measure(inputs, (s) => cn.workingMsBetween(s, s + 30 * 24 * H)) },
  freshCalendar: ((): { first4096DeadlinesMs: number } => {
    // A calendar compiled just now builds its blocks (and the zone its offsets) while answering.
    const t0 = performance.now();
    const fresh = compileCalendar(builtinCalendarSpecs()[1]);
    let sink = 0;
    for (let i = 0; i < inputs.length; i++) sink += fresh.addWorkingMinutes(inputs[i], 60);
    return { first4096DeadlinesMs: Number((performance.now() - t0 + (sink === 42 ? 1 : 0)).toFixed(2)) };
  })(),
  computeClocks50Events: ((): { usPerRecompute: number; clocks: number } => {
    const t3 = slaTemplates().find((t) => t.id === 'T3')!.policies[0];
    const tickets = Array.from(starts(256), (s) => fiftyEvents(s));
    const nows = tickets.map((evs) => evs[evs.length - 1].at + 2 * H);
    const count = computeClocks(tickets[0], t3, calendars, nows[0]).length;
    const r = measure(Float64Array.from(tickets.keys()), (i) => computeClocks(tickets[i], t3, calendars, nows[i]).length);
    return { usPerRecompute: Number((r.nsPerOp / 1000).toFixed(2)), clocks: count };
  })(),
};

console.log(JSON.stringify(results, null, 2));
