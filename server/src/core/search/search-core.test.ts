import { describe, expect, it } from 'vitest';
import { documentTerms, segment } from './segment.js';
import { ftsMatch, MAX_QUERY_TERMS, parseQuery, tsQuery } from './query.js';
import { escapeHtml, snippet } from './snippet.js';
import { boost } from './rank.js';

describe('segmentation', () => {
  it('keeps 2-character words and compounds, and adds bigrams', () => {
    expect(documentTerms('网络')).toContain('网络');
    expect(documentTerms('打印机卡纸')).toEqual(expect.arrayContaining(['打印机', '卡纸', '打印', '机卡']));
    expect(documentTerms('服务器无法访问')).toEqual(expect.arrayContaining(['服务器', '服务', '务器', '无法访问', '访问']));
  });
  it('lower-cases Latin, keeps numbers, IPs, ticket numbers and phones whole and in parts', () => {
    expect(segment('HIS 系统 502')).toBe('his 系统 系统 502');
    expect(documentTerms('网关 10.1.2.3 不通')).toEqual(expect.arrayContaining(['10.1.2.3', '10', '1', '2', '3']));
    expect(documentTerms('INC-2026-000123')).toEqual(['inc-2026-000123', 'inc', '2026', '000123', '123']);
    expect(documentTerms('电话 138-1234-5678')).toEqual(expect.arrayContaining(['138-1234-5678', '13812345678']));
    expect(documentTerms('ＨＩＳ５０２')).toEqual(['his502']);
    // Latin run straight into Chinese: two runs, not one term.
    expect(documentTerms('机房UPS旁路告警')).toEqual(expect.arrayContaining(['机房', 'ups', '旁路', '告警']));
    expect(parseQuery('UPS旁路').terms.map((t) => t.term)).toEqual(['ups', '旁路']);
    expect(documentTerms('li.wei@example.cn')[0]).toBe('li.wei@example.cn');
  });
  it('drops punctuation, emoji and absurdly long tokens', () => {
    expect(documentTerms('！？。，😀🎉 ***')).toEqual([]);
    expect(documentTerms('x'.repeat(65))).toEqual([]);
  });
});

describe('query parsing', () => {
  const bad = ['', ' ', '网', 'a'.repeat(1000), '网'.repeat(1000), '!!!???。。。', '"', '*', 'NEAR', 'a OR b', '-打印', '(卡纸):^', "'; drop table tickets; --", '1=1 union select * from users', '😀😀😀', 'NEAR(网络 卡纸, 2)'];
  it.each(bad)('builds a safe query from %j', (q) => {
    const p = parseQuery(q);
    expect(p.terms.length).toBeLessThanOrEqual(MAX_QUERY_TERMS);
    for (const t of p.terms) expect(t.term).toMatch(/^[\p{L}\p{N}._@-]+$/u);
    // Every FTS5 term quoted: no operator survives outside quotes.
    const outside = ftsMatch(p).replace(/"[^"]*"/g, '');
    expect(outside).toMatch(/^[\sAND*]*$/);
    expect(tsQuery(p)).not.toMatch(/[|!()]/);
  });
  it('asks for the bigrams of a Chinese word, the whole of a Latin compound, a prefix for one character', () => {
    expect(parseQuery('打印机卡纸').terms.map((t) => t.term)).toEqual(['打印', '印机', '卡纸']);
    expect(parseQuery('网络的问题').terms.map((t) => t.term)).toEqual(['网络', '问题']);
    expect(parseQuery('HIS 系统 502').terms.map((t) => t.term)).toEqual(['his', '系统', '502']);
    expect(parseQuery('网').terms).toEqual([{ term: '网', prefix: true }]);
    expect(parseQuery('NEAR OR').terms.map((t) => t.term)).toEqual(['near', 'or']);
    expect(tsQuery(parseQuery('网 his'), 'ABC')).toBe("'网':*ABC & 'his':ABC");
    expect(ftsMatch(parseQuery('卡纸'), ['title', 'body'])).toBe('{title body} : ("卡纸")');
  });
  it('truncates a long query and says so', () => {
    const p = parseQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    expect(p.terms).toHaveLength(MAX_QUERY_TERMS);
    expect(p.truncated).toBe(true);
  });
});

describe('snippets', () => {
  it('escapes everything and marks only the matches', () => {
    const html = snippet(['<script>alert(1)</script> 打印机经常卡纸 & HIS 报 502'], parseQuery('卡纸 his').highlight);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<mark>卡纸</mark>');
    expect(html).toContain('<mark>HIS</mark>');
    expect(html.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });
  it('centres the window on the first match of a long text', () => {
    const text = '无关内容'.repeat(100) + '网络中断' + '其他'.repeat(100);
    const html = snippet([text], parseQuery('网络').highlight, 60);
    expect(html.startsWith('…')).toBe(true);
    expect(html).toContain('<mark>网络</mark>');
  });
});

describe('ranking boost', () => {
  it('prefers open and recent work', () => {
    const now = Date.UTC(2026, 11, 1);
    expect(boost(true, now, now)).toBeGreaterThan(boost(false, now, now));
    expect(boost(false, now, now)).toBeGreaterThan(boost(false, now - 200 * 86_400_000, now));
    expect(boost(false, now - 200 * 86_400_000, now)).toBe(1);
  });
});
