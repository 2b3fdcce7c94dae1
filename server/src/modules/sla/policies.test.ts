import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';

describeDb('contract SLA policies', (kind) => {
  let t: TestApp;
  let admin: Session;
  let contractId: number;
  const now = Date.now();

  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    await insertUser(t.database, { username: 'eng', roles: ['engineer'] });
    admin = await login(t.app, 'admin');
    const customer = await t.database.db
      .insertInto('customers')
      .values({ code: 'HOSP', name: '市人民医院', tier: 1, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: now, updated_at: now, version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const contract = await t.database.db
      .insertInto('contracts')
      .values({ customer_id: customer.id, code: 'HT-2026-001', name: '运维服务合同', starts_on: '2026-01-01', ends_on: '2026-12-31', services: '["服务器运维"]', service_hours: '7x24', calendar_id: '24x7', project_manager_id: null, sla_policy: null, notes: null, created_at: now, updated_at: now, version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    contractId = contract.id;
  });
  afterAll(() => t.close());

  const preview = (q: string) => admin.request({ method: 'GET', url: `/api/v1/contracts/${contractId}/sla/preview?${q}` });

  it('lists the six templates from the seeds', async () => {
    const res = await admin.request({ method: 'GET', url: '/api/v1/sla/templates' });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((x: { id: string }) => x.id)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'T6']);
  });

  it('applies T4 (tier 1) and previews a ticket: 30 min response, 2 h resolution on 7x24', async () => {
    const res = await admin.request({ method: 'POST', url: `/api/v1/contracts/${contractId}/sla/apply-template`, payload: { templateId: 'T4', policyId: 't4-tier1', version: 1 } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().version).toBe(2);
    const p = await preview(`impact=high&urgency=high&reportedAt=${encodeURIComponent('2026-10-01T23:45:00+08:00')}`);
    expect(p.statusCode, p.body).toBe(200);
    const byMetric = Object.fromEntries(p.json().metrics.map((m: { metric: string; dueAt: string }) => [m.metric, m.dueAt]));
    expect(byMetric).toEqual({ response: '2026-10-02T00:15:00+08:00', resolution: '2026-10-02T01:45:00+08:00' });
    expect(p.json().metrics[0].warnings).toEqual([
      { percent: 50, at: '2026-10-02T00:00:00+08:00' },
      { percent: 80, at: '2026-10-02T00:09:00+08:00' },
    ]);
  });

  it('applies T2 and counts a C-level on-site target on cn-5x8 through the make-up Saturday', async () => {
    const res = await admin.request({ method: 'POST', url: `/api/v1/contracts/${contractId}/sla/apply-template`, payload: { templateId: 'T2', version: 2 } });
    expect(res.statusCode, res.body).toBe(200);
    const p = await preview(`priority=C&reportedAt=${encodeURIComponent('2026-10-09T16:00:00+08:00')}`);
    expect(p.statusCode, p.body).toBe(200);
    // On site counts from the diagnosis (shown as if diagnosed at the report): Fri 9 Oct 16–17 (1 h), Sat 10 Oct 2026 is a make-up working day: 08:00 + 3 h.
    expect(p.json().metrics).toEqual([expect.objectContaining({ metric: 'onsite', dueAt: '2026-10-10T11:00:00+08:00' })]);
  });

  it('rejects a warning threshold past the target, naming the field, and changes nothing', async () => {
    const current = (await admin.request({ method: 'GET', url: `/api/v1/contracts/${contractId}/sla` })).json();
    const bad = { ...current.sla, policy: { ...current.sla.policy, warnings: [50, 120] } };
    const res = await admin.request({ method: 'PUT', url: `/api/v1/contracts/${contractId}/sla`, payload: { ...bad, version: current.version } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('policy.warnings[1]');
    const after = (await admin.request({ method: 'GET', url: `/api/v1/contracts/${contractId}/sla` })).json();
    expect(after).toEqual(current);
  });

  it('names a latest target earlier than the usual one in the reader\'s language, units included', async () => {
    const current = (await admin.request({ method: 'GET', url: `/api/v1/contracts/${contractId}/sla` })).json();
    // The first priority's first metric: usual 2 hours, "at the latest" 30 minutes.
    const targets = structuredClone(current.sla.policy.targets) as Record<string, Record<string, Record<string, unknown>>>;
    const [priority] = Object.keys(targets);
    const [metric] = Object.keys(targets[priority]);
    targets[priority][metric] = { ...targets[priority][metric], amount: 2, unit: 'hours', latest: { amount: 30, unit: 'minutes' } };
    const payload = { ...current.sla, policy: { ...current.sla.policy, targets }, version: current.version };
    const zh = await admin.request({ method: 'PUT', url: `/api/v1/contracts/${contractId}/sla`, payload });
    expect(zh.statusCode).toBe(400);
    expect(zh.json().errors[0].message).toContain('最迟时限（30 分钟）必须晚于一般时限（2 小时）');
  });

  it('adjusts an applied template and refuses a stale version', async () => {
    const current = (await admin.request({ method: 'GET', url: `/api/v1/contracts/${contractId}/sla` })).json();
    const edited = structuredClone(current.sla);
    edited.policy.targets.A.onsite = { amount: 90, unit: 'minutes', calendarId: '24x7' };
    const ok = await admin.request({ method: 'PUT', url: `/api/v1/contracts/${contractId}/sla`, payload: { ...edited, version: current.version } });
    expect(ok.statusCode, ok.body).toBe(200);
    const stale = await admin.request({ method: 'PUT', url: `/api/v1/contracts/${contractId}/sla`, payload: { ...edited, version: current.version } });
    expect(stale.statusCode).toBe(409);
    const p = await preview(`priority=A&reportedAt=${encodeURIComponent('2026-10-09T16:00:00+08:00')}`);
    expect(p.json().metrics[0].dueAt).toBe('2026-10-09T17:30:00+08:00');
  });

  it('hides a contract outside the caller\'s scope', async () => {
    const eng = await login(t.app, 'eng');
    expect((await eng.request({ method: 'GET', url: `/api/v1/contracts/${contractId}/sla` })).statusCode).toBe(404);
  });
});
