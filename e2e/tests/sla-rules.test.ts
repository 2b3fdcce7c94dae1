import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { ARTIFACTS } from '../support/env.js';
import { UI_TIMEOUT, apiAs, loginUI, stamp, type Api } from '../support/app.js';

interface TicketOut {
  id: number;
  version: number;
  priority: string;
  sla: Array<{ metric: string; state: string; dueAt: string | null; breachedAt?: string | null }>;
}

/**
 * Issue #10 in the browser: a ticket's on-site clock waits for the diagnosis (待确诊后计时) and
 * starts when the engineer records it; a response breach stays after the priority is lowered,
 * the SLA panel showing "已超时（原时限 …）· 新时限 …".
 */
describe('SLA rules: on site after diagnosis, a breach that stays', () => {
  const b = useBrowser();
  let admin: Api;
  let csrf = '';
  let ticket: TicketOut;

  const send = async (method: 'put' | 'patch', url: string, data: unknown) => {
    const res = await admin.raw[method](`/api/v1${url}`, { data, headers: { 'X-CSRF-Token': csrf } });
    if (!res.ok()) throw new Error(`${method.toUpperCase()} ${url}: ${res.status()} ${await res.text()}`);
    return res.json();
  };

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    csrf = (await admin.raw.storageState()).cookies.find((c) => c.name === 'yw_csrf')?.value ?? '';
    const code = `SLAR${stamp()}`.slice(0, 20);
    const customer = await admin.post<{ id: number }>('/customers', { code, name: `规则测试${code}`, tier: 1 });
    const contact = await admin.post<{ id: number }>(`/customers/${customer.id}/contacts`, { name: '吴海', phone: '010-66668888' });
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const contract = await admin.post<{ id: number; version: number }>(`/customers/${customer.id}/contracts`, {
      code: `HT-${code}`.slice(0, 40),
      name: '规则测试合同',
      startsOn: day(-30),
      endsOn: day(300),
      services: ['服务器运维'],
      serviceHours: '7x24',
    });
    const applied = await admin.post<{ sla: { templateId: string; matrix: unknown; policy: Record<string, unknown> }; version: number }>(`/contracts/${contract.id}/sla/apply-template`, {
      templateId: 'T4',
      policyId: 't4-tier1',
      version: contract.version,
    });
    const t = (amount: number, unit: string, extra: Record<string, unknown> = {}) => ({ amount, unit, calendarId: '24x7', ...extra });
    const policy = {
      ...applied.sla.policy,
      escalation: [],
      targets: {
        P1: { response: t(10, 'minutes') },
        '*': { response: t(2, 'hours'), diagnosis: t(10, 'minutes'), onsite: t(2, 'hours', { startEvent: 'diagnosed' }), resolution: t(1, 'hours', { latest: { amount: 3, unit: 'hours' } }) },
      },
    };
    await send('put', `/contracts/${contract.id}/sla`, { templateId: applied.sla.templateId, matrix: applied.sla.matrix, policy, version: applied.version });
    ticket = await admin.post<TicketOut>('/tickets', {
      customerId: customer.id,
      contactId: contact.id,
      kind: 'incident',
      title: '核心交换机端口频繁闪断',
      description: '机房二层核心交换机 3 号端口频繁闪断，影响门诊挂号。',
      impact: 'high',
      urgency: 'high',
      reportedAt: new Date(Date.now() - 30 * 60_000).toISOString(),
    });
    expect(ticket.priority).toBe('P1');
    // The SLA job records the response breach (10 minutes, reported 30 minutes ago).
    for (let tries = 0; ; tries++) {
      const seen = await admin.get<{ timeline: Array<{ type: string }> }>(`/tickets/${ticket.id}`);
      if (seen.timeline.some((e) => e.type === 'sla.breached')) break;
      if (tries > 60) throw new Error('the SLA job did not record the breach');
      await new Promise((r) => setTimeout(r, 500));
    }
    // Lowered to P3: the breach stays.
    const now = await admin.get<TicketOut>(`/tickets/${ticket.id}`);
    ticket = await send('patch', `/tickets/${ticket.id}`, { impact: 'medium', urgency: 'medium', version: now.version });
    expect(ticket.priority).toBe('P3');
  });
  afterAll(async () => {
    await admin?.dispose();
  });

  test('the SLA panel keeps the breach beside the new deadline; on site waits for the diagnosis', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    await page.goto(`/tickets/${ticket.id}`);
    const response = page.getByTestId('ticket-sla-response');
    await response.waitFor({ timeout: UI_TIMEOUT });
    expect(await response.getAttribute('data-state')).toBe('breached');
    expect(await page.getByTestId('ticket-sla-response-sub').innerText()).toMatch(/^已超时（原时限 .+）· 新时限 .+/);
    const onsite = page.getByTestId('ticket-sla-onsite');
    expect(await onsite.getAttribute('data-state')).toBe('pending');
    expect(await page.getByTestId('ticket-sla-onsite-text').innerText()).toContain('待确诊后计时');
    expect(await page.getByTestId('ticket-sla-resolution').innerText()).toContain('一般1小时，最迟3小时');
    await page.getByTestId('ticket-sla').screenshot({ path: path.join(ARTIFACTS, 'sla-rules-panel-before.png') });
  });

  test('the engineer records the diagnosis: the on-site clock starts there', async () => {
    const { page } = b;
    await page.getByTestId('ticket-action-diagnose').click();
    await page.getByTestId('ticket-diagnose-result').fill('交换机 3 号端口光模块老化，需到场更换');
    await page.getByTestId('ticket-action-submit').click();
    const onsite = page.getByTestId('ticket-sla-onsite');
    await expect.poll(() => onsite.getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('running');
    const after = await admin.get<TicketOut & { timeline: Array<{ type: string; at: string; data: Record<string, unknown> }> }>(`/tickets/${ticket.id}`);
    const diagnosed = after.timeline.find((e) => e.type === 'diagnosed')!;
    expect(diagnosed.data).toEqual({ result: '交换机 3 号端口光模块老化，需到场更换', remote: true });
    expect(after.sla.find((c) => c.metric === 'onsite')!.dueAt).toBe(new Date(Date.parse(diagnosed.at) + 2 * 3_600_000).toISOString());
    expect(after.sla.find((c) => c.metric === 'diagnosis')!.state).toBe('breached');
    await page.getByTestId('ticket-sla').screenshot({ path: path.join(ARTIFACTS, 'sla-rules-panel-after.png') });
  });
});
