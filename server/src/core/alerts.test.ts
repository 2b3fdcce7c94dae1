import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITY_MAP, levelsFor, MAX_BACKDATE_MS, normaliseSeverity, reportedAtOf, repeatDecision } from './alerts.js';

describe('alert intake rules', () => {
  it('normalises severities the way Prometheus and Zabbix spell them', () => {
    expect(['CRITICAL', ' Not classified ', 'page-me', 'High'].map(normaliseSeverity)).toEqual(['critical', 'not_classified', 'page_me', 'high']);
  });

  it('maps a severity through the source\'s map, else its `*`, else the default `*`', () => {
    expect(levelsFor(DEFAULT_SEVERITY_MAP, 'Disaster')).toEqual({ impact: 'high', urgency: 'high', matched: 'disaster' });
    expect(levelsFor(DEFAULT_SEVERITY_MAP, 'Not classified')).toEqual({ impact: 'low', urgency: 'low', matched: 'not_classified' });
    expect(levelsFor({ p1: { impact: 'high', urgency: 'high' }, '*': { impact: 'low', urgency: 'medium' } }, 'p2')).toEqual({ impact: 'low', urgency: 'medium', matched: '*' });
    expect(levelsFor({}, null)).toEqual({ impact: 'medium', urgency: 'medium', matched: '*' });
  });

  it('reports at the alert\'s start, never later than received nor more than a day before', () => {
    const now = Date.UTC(2026, 2, 5, 6, 30);
    expect(reportedAtOf(now - 600_000, now)).toBe(now - 600_000);
    expect(reportedAtOf(now + 3_600_000, now)).toBe(now);
    expect(reportedAtOf(now - 3 * 86_400_000, now)).toBe(now - MAX_BACKDATE_MS);
    expect(reportedAtOf(Date.parse('0001-01-01T00:00:00Z'), now)).toBe(now - MAX_BACKDATE_MS);
    expect(reportedAtOf(null, now)).toBe(now);
    expect(reportedAtOf(Number.NaN, now)).toBe(now);
  });

  it('notes a repeat once the interval since the last note has passed', () => {
    const t0 = 1_000_000;
    expect(repeatDecision(t0, t0 + 59 * 60_000, 60)).toBe('count');
    expect(repeatDecision(t0, t0 + 60 * 60_000, 60)).toBe('note');
    expect(repeatDecision(t0, t0 + 60_000, 1)).toBe('note');
  });
});
