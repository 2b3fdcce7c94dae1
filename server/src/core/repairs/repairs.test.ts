import { describe, expect, it } from 'vitest';
import { compileBuiltinCalendars, zonedToInstant } from '../calendar/index.js';
import { nextReportDue, reminderAt, reportStatus } from './clock.js';
import { allowedRepairActions, repairTransition } from './lifecycle.js';
import { vendorOla } from './ola.js';
import { isWorkingDateOn, returnedByTarget, targetReturnDate, weekCalendar } from './target.js';

const calendars = compileBuiltinCalendars();
const cn = calendars.get('cn-5x8')!;
const all = calendars.get('24x7')!;
const SH = 'Asia/Shanghai';
const at = (date: string, time = '10:00', zone = SH) => zonedToInstant(date, time, zone);
const target = (date: string, time = '10:00', zone = SH, cal = cn) => targetReturnDate(at(date, time, zone), zone, isWorkingDateOn(cal));
const local = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('back before the second weekend (REQ #169)', () => {
  it('is the Friday of the week after the sending week, whatever the day of sending', () => {
    for (const d of ['2026-03-02', '2026-03-04', '2026-03-06', '2026-03-07', '2026-03-08']) expect(target(d), d).toBe('2026-03-13');
    expect(target('2026-03-09')).toBe('2026-03-20');
  });

  it('crosses month and year ends', () => {
    expect(target('2026-07-30')).toBe('2026-08-07');
    expect(target('2026-08-31')).toBe('2026-09-11');
    expect(target('2025-12-31')).toBe('2026-01-09');
  });

  it('a holiday on the Friday brings it to the Thursday (端午 2026-06-19)', () => {
    expect(target('2026-06-10')).toBe('2026-06-18');
  });

  it('a make-up working Saturday (调休) in the week after makes it that Saturday (劳动节 2026: 5/4–5/5 off, 5/9 worked), across the month end', () => {
    expect(target('2026-04-29')).toBe('2026-05-09');
  });

  it('the holiday ending the week (国庆 2026: Oct 1–7) brings it to the last working day before it', () => {
    expect(target('2026-09-21')).toBe('2026-09-30');
  });

  it('a week without any working day does not count (春节 2026: Feb 16–22 off; Feb 28 a make-up Saturday)', () => {
    expect(target('2026-02-09')).toBe('2026-02-28');
  });

  it('counts weeks in the customer\'s zone: Sunday 16:30 UTC is Monday in Shanghai', () => {
    expect(targetReturnDate(Date.parse('2026-03-08T16:30:00Z'), SH, isWorkingDateOn(cn))).toBe('2026-03-20');
    expect(targetReturnDate(Date.parse('2026-03-08T16:30:00Z'), 'UTC', isWorkingDateOn(cn))).toBe('2026-03-13');
    expect(targetReturnDate(Date.parse('2026-03-08T16:30:00Z'), 'America/Los_Angeles', isWorkingDateOn(cn))).toBe('2026-03-13');
  });

  it('a 7×24 contract counts weekends on China\'s 5×8 calendar', () => {
    expect(weekCalendar(all, cn)).toBe(cn);
    expect(weekCalendar(cn, all)).toBe(cn);
    expect(target('2026-06-10', '10:00', SH, weekCalendar(all, cn))).toBe('2026-06-18');
  });

  it('a return is on time up to the end of the target day in the customer\'s zone', () => {
    expect(returnedByTarget(at('2026-03-13', '23:59'), SH, '2026-03-13')).toBe(true);
    expect(returnedByTarget(at('2026-03-14', '00:00'), SH, '2026-03-13')).toBe(false);
  });
});

describe('the progress clock: a written report every 3 working days (REQ #168)', () => {
  it('is due at the end of the third working day after the start day; reminded that morning', () => {
    const due = nextReportDue(cn, at('2026-03-02', '10:00'));
    expect(local(due)).toBe('2026-03-05 17:00');
    expect(local(reminderAt(cn, due))).toBe('2026-03-05 08:00');
  });

  it('skips the weekend', () => {
    expect(local(nextReportDue(cn, at('2026-03-05', '10:00')))).toBe('2026-03-10 17:00');
    // Sent on a Saturday: Monday is the first of the three.
    expect(local(nextReportDue(cn, at('2026-03-07', '15:00')))).toBe('2026-03-11 17:00');
  });

  it('skips a holiday and works a make-up Saturday (国庆 2026, then Sat 10/10 调休上班)', () => {
    const due = nextReportDue(cn, at('2026-09-30', '10:00'));
    expect(local(due)).toBe('2026-10-10 17:00');
    expect(local(reminderAt(cn, due))).toBe('2026-10-10 08:00');
  });

  it('counts a make-up working Saturday as a working day (春节 2026: Sat 2/28)', () => {
    expect(local(nextReportDue(cn, at('2026-02-26', '10:00')))).toBe('2026-03-02 17:00');
  });

  it('on 7×24 the days are calendar days', () => {
    expect(new Date(nextReportDue(all, Date.parse('2026-03-07T02:00:00Z'))).toISOString()).toBe('2026-03-10T16:00:00.000Z');
  });

  it('says where it stands', () => {
    const due = at('2026-03-05', '17:00');
    const remind = at('2026-03-05', '08:00');
    expect(reportStatus(null, null, due)).toBe('none');
    expect(reportStatus(due, remind, remind - 1)).toBe('running');
    expect(reportStatus(due, remind, remind)).toBe('due');
    expect(reportStatus(due, remind, due)).toBe('overdue');
  });
});

describe('the order\'s lifecycle', () => {
  it('goes draft → sent → returned → accepted, or back to the vendor when the test fails', () => {
    expect(repairTransition('draft', 'send')).toBe('sent');
    expect(repairTransition('sent', 'return')).toBe('returned');
    expect(repairTransition('returned', 'reject')).toBe('rejected');
    expect(repairTransition('rejected', 'return')).toBe('returned');
    expect(repairTransition('returned', 'accept')).toBe('accepted');
    expect(allowedRepairActions('accepted')).toEqual([]);
    expect(allowedRepairActions('draft')).toEqual(['send', 'cancel']);
    expect(() => repairTransition('draft', 'accept')).toThrow(/repairs.transition/);
    expect(() => repairTransition('returned', 'cancel')).toThrow(/repairs.transition/);
  });
});

describe('the vendor\'s underpinning contract, measured like an OLA', () => {
  it('counts met, missed and pending on the vendor\'s calendar', () => {
    const sent = at('2026-03-02', '10:00');
    const now = at('2026-03-20', '12:00');
    const ola = vendorOla(
      [
        { sentAt: sent, respondedAt: at('2026-03-02', '13:30'), returnedAt: at('2026-03-06', '16:00'), cancelled: false },
        { sentAt: sent, respondedAt: at('2026-03-03', '09:00'), returnedAt: at('2026-03-12', '10:00'), cancelled: false },
        { sentAt: at('2026-03-20', '09:00'), respondedAt: null, returnedAt: null, cancelled: false },
        { sentAt: sent, respondedAt: null, returnedAt: null, cancelled: true },
      ],
      { responseHours: 4, repairDays: 5 },
      cn,
      now,
    );
    // 4 working hours from Mon 10:00 is 15:00; 5 working days is Mon 03-09 17:00.
    expect(ola.orders).toBe(3);
    expect(ola.response).toEqual({ target: 4, met: 1, missed: 1, pending: 1, rate: 0.5 });
    expect(ola.repair).toEqual({ target: 5, met: 1, missed: 1, pending: 1, rate: 0.5 });
    expect(vendorOla([], { responseHours: null, repairDays: null }, cn, now).response.rate).toBeNull();
  });
});
