/**
 * The rules of monitoring alert intake (docs/ALERTS.md), pure: how a source's severity becomes
 * impact × urgency, when the alert's start becomes the ticket's reported instant, and when a
 * repeat of an alert whose ticket is still open earns a note on that ticket.
 */

export interface Levels {
  impact: string;
  urgency: string;
}

/** Severity (normalised, see `normaliseSeverity`) → impact × urgency; `*` is every other severity. */
export type SeverityMap = Record<string, Levels>;

export const OTHER_SEVERITIES = '*';

/**
 * The mapping a new source starts with: Prometheus' usual labels (critical, warning, info),
 * Zabbix's six levels (disaster … not classified) and common synonyms.
 */
export const DEFAULT_SEVERITY_MAP: SeverityMap = {
  critical: { impact: 'high', urgency: 'high' },
  disaster: { impact: 'high', urgency: 'high' },
  high: { impact: 'high', urgency: 'medium' },
  major: { impact: 'high', urgency: 'medium' },
  error: { impact: 'high', urgency: 'medium' },
  average: { impact: 'medium', urgency: 'medium' },
  warning: { impact: 'medium', urgency: 'low' },
  minor: { impact: 'medium', urgency: 'low' },
  info: { impact: 'low', urgency: 'low' },
  information: { impact: 'low', urgency: 'low' },
  not_classified: { impact: 'low', urgency: 'low' },
  [OTHER_SEVERITIES]: { impact: 'medium', urgency: 'medium' },
};

/** `Not classified` → `not_classified`, ` CRITICAL ` → `critical`. */
export function normaliseSeverity(s: string): string {
  return s.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** The levels of a severity: its own entry, else `*`, else the default map's `*`. */
export function levelsFor(map: SeverityMap, severity: string | null): Levels & { matched: string } {
  const key = severity === null ? null : normaliseSeverity(severity);
  if (key !== null && map[key]) return { ...map[key], matched: key };
  const other = map[OTHER_SEVERITIES] ?? DEFAULT_SEVERITY_MAP[OTHER_SEVERITIES];
  return { ...other, matched: OTHER_SEVERITIES };
}

/** How far back an alert's start may set the ticket's reported instant (the SLA clocks start there). */
export const MAX_BACKDATE_MS = 24 * 3_600_000;

/**
 * The reported instant of a ticket opened by an alert: when the alert started, but never after
 * it was received (a monitoring host's clock running ahead) and never more than a day before
 * (Alertmanager's zero time 0001-01-01, a wrong time zone, or an alert that had been firing long
 * before the source was connected would otherwise open the ticket already breached).
 */
export function reportedAtOf(startsAt: number | null, receivedAt: number): number {
  if (startsAt === null || !Number.isFinite(startsAt)) return receivedAt;
  return Math.min(receivedAt, Math.max(startsAt, receivedAt - MAX_BACKDATE_MS));
}

export type RepeatDecision = 'note' | 'count';

/**
 * A repeat of a firing alert whose ticket is open: a note at most once per `intervalMinutes`
 * (the ticket's creation counts as the first), otherwise the repeat is only counted and the
 * next note reports how many came in between. A change of state (firing again after a
 * recovery, or a recovery) is always noted: see the service.
 */
export function repeatDecision(lastNoteAt: number, now: number, intervalMinutes: number): RepeatDecision {
  return now - lastNoteAt >= intervalMinutes * 60_000 ? 'note' : 'count';
}
