import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answeredIds, autoReason, DAY_MS, normaliseMessageId, reportedAtOf, stripQuoted, ticketIdsIn, ticketNumberIn, tidyText, titleOf, type AutoCheck } from './inbound.js';

const headers = (h: Record<string, string>): AutoCheck['header'] => (name) => h[name];
const person = (over: Partial<AutoCheck> = {}): AutoCheck => ({ header: headers({}), from: 'wangfang@example.com', envelopeFrom: 'wangfang@example.com', ownAddresses: ['yunwei@desk.example.cn'], ...over });

describe('inbound mail rules', () => {
  it('finds the bracketed ticket number of a subject', () => {
    expect(ticketNumberIn('回复：[INC-2026-000123] 打印机卡纸')).toBe('INC-2026-000123');
    expect(ticketNumberIn('Re: [ req-2026-0001234 ] more')).toBe('REQ-2026-0001234');
    expect(ticketNumberIn('INC-2026-000123 without brackets')).toBeNull();
    expect(ticketNumberIn('[ABC-2026-000123]')).toBeNull();
    expect(ticketNumberIn(undefined)).toBeNull();
  });

  it('reads the Message-IDs a message answers and the tickets of outbound ones', () => {
    const ids = answeredIds('<ticket-12.a1b2@Yunwei>', ['<first@x.cn>', '<ticket-12.a1b2@yunwei>', '<last@y.cn>']);
    expect(ids).toEqual(['<ticket-12.a1b2@yunwei>', '<last@y.cn>', '<first@x.cn>']);
    expect(ticketIdsIn(['<x@y>', '<ticket-7.abc@desk.example.cn>', '<ticket-12.a@yunwei>', '<ticket-7.def@yunwei>'])).toEqual([7, 12]);
    expect(ticketIdsIn(['<ticket-x.abc@y>', '<ticket-5@y>', '<myticket-5.a@y>'])).toEqual([]);
    expect(normaliseMessageId(' <Abc.Def@Mail.Example.CN> ')).toBe('<Abc.Def@mail.example.cn>');
    expect(normaliseMessageId('no spaces allowed@x')).toBeNull();
    expect(normaliseMessageId('')).toBeNull();
  });

  it('tells automatic messages from a person\'s', () => {
    expect(autoReason(person())).toBeNull();
    expect(autoReason(person({ header: headers({ 'auto-submitted': 'no' }) }))).toBeNull();
    expect(autoReason(person({ envelopeFrom: '' }))).toBe('null_sender');
    expect(autoReason(person({ from: 'MAILER-DAEMON@mx.example.cn' }))).toBe('mailer_daemon');
    expect(autoReason(person({ from: 'postmaster@example.cn' }))).toBe('mailer_daemon');
    expect(autoReason(person({ header: headers({ 'auto-submitted': 'auto-replied' }) }))).toBe('auto_submitted');
    expect(autoReason(person({ header: headers({ precedence: 'Bulk' }) }))).toBe('precedence');
    expect(autoReason(person({ header: headers({ 'x-autoreply': 'yes' }) }))).toBe('auto_reply_header');
    expect(autoReason(person({ contentType: 'multipart/report; report-type=delivery-status' }))).toBe('delivery_report');
    expect(autoReason(person({ from: 'yunwei@desk.example.cn' }))).toBe('own_address');
    // the API path knows no envelope
    expect(autoReason(person({ envelopeFrom: undefined }))).toBeNull();
  });

  it('clamps reportedAt to the week before receipt', () => {
    const now = Date.UTC(2026, 2, 5, 6, 30);
    expect(reportedAtOf(new Date(now - 3_600_000), now)).toBe(now - 3_600_000);
    expect(reportedAtOf(new Date(now + 3_600_000), now)).toBe(now);
    expect(reportedAtOf(new Date(now - 30 * DAY_MS), now)).toBe(now - 7 * DAY_MS);
    expect(reportedAtOf(new Date('invalid'), now)).toBe(now);
    expect(reportedAtOf(undefined, now)).toBe(now);
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), (offset) => {
        const at = reportedAtOf(new Date(now + offset), now);
        return at <= now && at >= now - 7 * DAY_MS;
      }),
    );
  });

  it('keeps the new text of a reply and drops the quoted message', () => {
    expect(stripQuoted('已经好了，谢谢。\n\n在 2026年3月5日 14:30，服务台 写道：\n> 请确认是否恢复')).toBe('已经好了，谢谢。');
    expect(stripQuoted('Works now.\n\nOn Thu, Mar 5, 2026 at 2:30 PM Desk <desk@x.cn> wrote:\n> old')).toBe('Works now.');
    expect(stripQuoted('还是不行\n\n-----原始邮件-----\n发件人: 服务台\n主题: [INC-2026-000001]')).toBe('还是不行');
    expect(stripQuoted('还是不行\n\n发件人: 服务台 <desk@x.cn>\n发送时间: 2026年3月5日 14:30\n收件人: 王芳\n主题: xx\n\n原文')).toBe('还是不行');
    expect(stripQuoted('> only quoted\n> text')).toBe('> only quoted\n> text');
    expect(stripQuoted('a > b is fine\nsecond line')).toBe('a > b is fine\nsecond line');
  });

  it('makes titles and tidy text', () => {
    expect(titleOf('回复：Re: [INC-2026-000123] 打印机卡纸', 200)).toBe('打印机卡纸');
    expect(titleOf('Fwd: 网络\n中断', 200)).toBe('网络 中断');
    expect(titleOf('   ', 200)).toBeNull();
    expect(titleOf('x'.repeat(300), 200)).toHaveLength(200);
    expect(tidyText('a  \r\n\r\n\r\n\r\nb\u00a0c\n')).toBe('a\n\nb c');
  });
});
