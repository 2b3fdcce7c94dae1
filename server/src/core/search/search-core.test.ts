import { describe, expect, it } from 'vitest';
import { documentTerms, segment } from './segment.js';
import { ftsMatch, MAX_QUERY_TERMS, parseQuery, tsQuery } from './query.js';
import { escapeHtml, snippet } from './snippet.js';
import { boost, relevance, score } from './rank.js';
import { newestBuckets, readers, scopeTokens, timeTokens, viewerGroups } from './tokens.js';

describe('segmentation', () => {
  it('keeps 2-character words and compounds, and adds bigrams', () => {
    expect(documentTerms('网络')).toContain('网络');
    expect(documentTerms('打印机卡纸')).toEqual(expect.arrayContaining(['打印机', '卡纸', '打印', '机卡']));
    expect(documentTerms('服务器无法访问')).toEqual(expect.arrayContaining(['服务器', '服务', '务器', '无法访问', '访问']));
  });
  it('lower-cases Latin, keeps numbers, IPs, ticket numbers and phones whole and in parts', () => {
    expect(segment('HIS 系统 502')).toBe('his 系统 系统 统 502');
    expect(documentTerms('网关 10.1.2.3 不通')).toEqual(expect.arrayContaining(['10.1.2.3', '10', '1', '2', '3']));
    expect(documentTerms('INC-2026-000123')).toEqual(['inc-2026-000123', 'inc', '2026', '000123', '123']);
    expect(documentTerms('电话 138-1234-5678')).toEqual(expect.arrayContaining(['138-1234-5678', '13812345678']));
    expect(documentTerms('ＨＩＳ５０２')).toEqual(['his502']);
    // Latin run straight into Chinese: two runs, not one term.
    expect(documentTerms('机房UPS旁路告警')).toEqual(expect.arrayContaining(['机房', 'ups', '旁路', '告警']));
    expect(parseQuery('UPS旁路').terms.map((t) => t.term)).toEqual(['ups', '旁路']);
    expect(documentTerms('li.wei@example.cn')[0]).toBe('li.wei@example.cn');
  });
  it('indexes the last character of a Han run, so every character begins a term', () => {
    // 上网 at the end of a sentence: 网 begins no bigram, its unigram is there.
    const terms = documentTerms('无法上网。');
    expect(terms).toEqual(expect.arrayContaining(['上网', '网']));
    for (const ch of Array.from('无法上网')) expect(terms.some((t) => t.startsWith(ch)), ch).toBe(true);
    expect(documentTerms('网')).toEqual(['网']);
  });
  it('no text segments into an index token', () => {
    for (const text of ['_c1 _u0', '__c5', 'x_c1', '_b1.12.3', '_k1', '＿ｃ１']) for (const t of documentTerms(text)) expect(t.startsWith('_'), `${text} → ${t}`).toBe(false);
    for (const t of parseQuery('_c1 OR _u0 _k1').terms) expect(t.term.startsWith('_')).toBe(false);
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
    expect(tsQuery(parseQuery('网 his'), { weights: 'ABC' })).toBe("'网':*ABC & 'his':ABC");
    expect(ftsMatch(parseQuery('卡纸'), { columns: ['title', 'body'] })).toBe('{title body} : ("卡纸")');
  });
  it('adds the viewer\'s token groups, each an OR, all required', () => {
    const groups = [['_u0', '_u7'], ['_c7']];
    expect(ftsMatch(parseQuery('卡纸'), { columns: ['title'], groups })).toBe('{title} : ("卡纸") AND {scope} : ("_u0" OR "_u7") AND {scope} : ("_c7")');
    expect(tsQuery(parseQuery('卡纸'), { weights: 'ABC', groups })).toBe("'卡纸':ABC & ('_u0' | '_u7') & '_c7'");
    expect(() => ftsMatch(parseQuery('卡纸'), { groups: [['c7" OR "x']] })).toThrow();
  });
  it('keeps the words ranking counts', () => {
    expect(parseQuery('打印机卡纸').words).toEqual(['打印机', '卡纸']);
    expect(parseQuery('HIS 系统 502 网').words).toEqual(['his', '系统', '502', '网']);
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

describe('scope tokens', () => {
  it('name who may read a doc exactly as the SQL predicate does', () => {
    expect(readers({ customerId: 5, audience: 'internal' })).toEqual([]);
    expect(readers({ customerId: 5, audience: 'customers' })).toEqual([5]);
    expect(readers({ customerId: null, audience: 'public' })).toEqual([null]);
    expect(readers({ customerId: null, audience: 'customers', audienceCustomerIds: [3, 7, 3] })).toEqual([3, 7]);
    // A named article that also belongs to a customer: only that customer, if named.
    expect(readers({ customerId: 3, audience: 'customers', audienceCustomerIds: [3, 7] })).toEqual([3]);
    expect(readers({ customerId: 5, audience: 'customers', audienceCustomerIds: [3, 7] })).toEqual([]);
    expect(scopeTokens({ customerId: 5, audience: 'customers' })).toEqual(['_c5', '_u5']);
    expect(scopeTokens({ customerId: null, audience: 'internal' })).toEqual(['_c0']);
  });
  it('give each viewer the groups he must match', () => {
    expect(viewerGroups({ staff: true, all: true })).toEqual([]);
    expect(viewerGroups({ staff: true, all: false, customerIds: [4, 9] })).toEqual([['_c0', '_c4', '_c9']]);
    expect(viewerGroups({ staff: true, all: false, customerIds: [] })).toEqual([['_c0']]);
    expect(viewerGroups({ staff: false, customerId: 4 })).toEqual([['_u0', '_u4']]);
  });
  it('bucket a record id at every level and find the newest buckets', () => {
    expect(timeTokens(1, 5000)).toEqual(['_k1', '_b1.12.1', '_b1.14.0', '_b1.16.0', '_b1.18.0', '_b1.20.0', '_b1.22.0', '_b1.24.0']);
    // The window from maxId − 4096 up: two buckets, every id from 8192 on.
    expect(newestBuckets(1, 12, 10_000)).toEqual({ tokens: ['_b1.12.1', '_b1.12.2'], firstId: 4096 });
    expect(newestBuckets(1, 12, 1_000_000)).toEqual({ tokens: ['_b1.12.243', '_b1.12.244'], firstId: 243 * 4096 });
    // A window that would reach the first bucket is the whole kind.
    expect(newestBuckets(1, 12, 8000)).toBeNull();
    expect(newestBuckets(1, 16, 100_000)).toBeNull();
  });
});

describe('ranking', () => {
  it('counts the query\'s words, the title most, and saturates', () => {
    const words = parseQuery('打印机 卡纸').words;
    const inTitle = relevance({ title: '打印机卡纸', extra: '', body: '无', staff: '' }, words);
    const inBody = relevance({ title: '故障', extra: '', body: '打印机卡纸', staff: '' }, words);
    expect(inTitle).toBeGreaterThan(inBody);
    const twice = relevance({ title: '', extra: '', body: '打印机卡纸，又卡纸', staff: '' }, words);
    expect(twice).toBeGreaterThan(inBody);
    expect(twice).toBeLessThan(2 * inBody);
    expect(relevance({ title: 'HIS 报错', extra: '', body: '', staff: '' }, parseQuery('his').words)).toBeGreaterThan(0);
    const now = Date.UTC(2026, 11, 1);
    expect(score({ title: '卡纸', extra: '', body: '', staff: '' }, ['卡纸'], true, now, now)).toBeGreaterThan(score({ title: '卡纸', extra: '', body: '', staff: '' }, ['卡纸'], false, now, now));
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
