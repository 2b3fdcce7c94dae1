import { describe, expect, it } from 'vitest';
import { addressesOf, checkDefinitions, normalizeIp, tightens, validateAttributes, type AttributeDef } from './attributes.js';
import { BUILTIN_TYPES } from './builtin-types.js';
import { chunks, closesCycle, walkImpact, type Direction, type Neighbour } from './impact.js';
import { dependantIsSource, prefixRange, type RelationType } from './rules.js';

const defs: AttributeDef[] = [
  { key: 'memoryGb', zh: '内存', en: 'Memory', kind: 'number', unit: 'GB', min: 0, max: 4096 },
  { key: 'cores', zh: 'CPU 核数', en: 'Cores', kind: 'integer', min: 1 },
  { key: 'os', zh: '操作系统', en: 'OS', kind: 'text', required: true },
  { key: 'ips', zh: '其他 IP 地址', en: 'IPs', kind: 'ips' },
  { key: 'bmc', zh: '带外管理 IP', en: 'BMC', kind: 'ip' },
  { key: 'since', zh: '上线日期', en: 'Since', kind: 'date' },
  { key: 'ha', zh: '高可用', en: 'HA', kind: 'boolean' },
  { key: 'mode', zh: '模式', en: 'Mode', kind: 'choice', choices: ['单机', '主备'] },
];

describe('attributes', () => {
  it('accepts and normalises good values', () => {
    const r = validateAttributes(defs, { memoryGb: 256, cores: 32, os: ' 麒麟 V10 ', ips: ['10.1.1.2', '10.1.1.2', 'FE80::1'], bmc: '10.9.0.1', since: '2024-02-29', ha: true, mode: '主备' });
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual({ memoryGb: 256, cores: 32, os: '麒麟 V10', ips: ['10.1.1.2', 'fe80::1'], bmc: '10.9.0.1', since: '2024-02-29', ha: true, mode: '主备' });
    expect(addressesOf(defs, '10.0.0.1', r.values)).toEqual(['10.0.0.1', '10.1.1.2', 'fe80::1', '10.9.0.1']);
  });
  it('names the attribute of the wrong type, in Chinese, every problem at once', () => {
    const r = validateAttributes(defs, { memoryGb: '很多', cores: 2.5, ips: ['10.1.1.300'], since: '2026-02-30', ha: 'yes', mode: '集群', extra: 1 });
    const by = Object.fromEntries(r.problems.map((p) => [p.field, p]));
    expect(by['attributes.memoryGb']).toMatchObject({ code: 'cmdb.attr.number', params: { zh: '内存' } });
    expect(by['attributes.cores'].code).toBe('cmdb.attr.integer');
    expect(by['attributes.os'].code).toBe('cmdb.attr.required');
    expect(by['attributes.ips'].code).toBe('cmdb.attr.ip');
    expect(by['attributes.since'].code).toBe('cmdb.attr.date');
    expect(by['attributes.ha'].code).toBe('cmdb.attr.boolean');
    expect(by['attributes.mode'].code).toBe('cmdb.attr.choice');
    expect(by['attributes.extra'].code).toBe('cmdb.attr.unknown');
  });
  it('reads spreadsheet text leniently', () => {
    const r = validateAttributes(defs, { memoryGb: '64', cores: '8', os: 'UOS', ips: '10.0.0.1，10.0.0.2; 10.0.0.3', ha: '是' }, { lenient: true });
    expect(r.problems).toEqual([]);
    expect(r.values).toMatchObject({ memoryGb: 64, cores: 8, ips: ['10.0.0.1', '10.0.0.2', '10.0.0.3'], ha: true });
  });
  it('refuses bounds, NUL and multi-line text in a one-line attribute', () => {
    const r = validateAttributes(defs, { memoryGb: -1, os: 'a\u0000b' });
    expect(r.problems.map((p) => p.code).sort()).toEqual(['cmdb.attr.min', 'cmdb.attr.nul']);
    expect(validateAttributes(defs, { os: 'a\nb' }).problems[0].code).toBe('cmdb.attr.oneLine');
  });
  it('carries values of attributes the type no longer defines', () => {
    const r = validateAttributes(defs, { os: 'x', oldKey: 'kept' }, { keep: { oldKey: 'kept' } });
    expect(r.problems).toEqual([]);
    expect(r.values.oldKey).toBe('kept');
  });
  it('normalises IPs', () => {
    expect(normalizeIp('010.1.1.1')).toBeNull();
    expect(normalizeIp('10.1.1.1/24')).toBeNull();
    expect(normalizeIp(' 2001:DB8::1 ')).toBe('2001:db8::1');
  });
  it('checks definitions and knows which changes tighten', () => {
    expect(checkDefinitions([{ key: '1x', zh: 'a', en: 'a', kind: 'text' }, { key: 'c', zh: 'c', en: 'c', kind: 'choice' }]).map((p) => p.code)).toEqual(['cmdb.type.key', 'cmdb.type.noChoices']);
    expect(tightens(defs[0], { ...defs[0], zh: '内存容量', unit: 'GiB' })).toBe(false);
    expect(tightens(defs[0], { ...defs[0], max: 1024 })).toBe(true);
    expect(tightens(undefined, { key: 'n', zh: 'n', en: 'n', kind: 'text' })).toBe(false);
    expect(tightens(undefined, { key: 'n', zh: 'n', en: 'n', kind: 'text', required: true })).toBe(true);
    expect(tightens(defs[7], { ...defs[7], choices: ['单机'] })).toBe(true);
  });
  it('ships 14 valid built-in types (server physical and virtual apart)', () => {
    expect(BUILTIN_TYPES).toHaveLength(14);
    for (const t of BUILTIN_TYPES) expect(checkDefinitions(t.attributes), t.code).toEqual([]);
  });
});

/** A graph in memory: edges [id, source, target, type]. */
function graph(edges: Array<[number, number, number, RelationType]>) {
  let calls = 0;
  const fetch = async (ids: number[], dir: Direction): Promise<Array<Neighbour<{ id: number }>>> => {
    calls++;
    const out: Array<Neighbour<{ id: number }>> = [];
    for (const [id, source, target, type] of edges) {
      const dependant = dependantIsSource(type) ? source : target;
      const provider = dependantIsSource(type) ? target : source;
      const [from, to] = dir === 'up' ? [provider, dependant] : [dependant, provider];
      if (ids.includes(from)) out.push({ from, edge: { id, source, target, type }, node: { id: to } });
    }
    return out;
  };
  return { fetch, calls: () => calls };
}

describe('impact walk', () => {
  // switch 1 ← servers 2,3 (connects_to); app 4 runs_on 2; app 5 runs_on 3, depends_on 4; disk 6 part_of 2; rack 7 ← 2 hosted_in
  const g = () =>
    graph([
      [1, 2, 1, 'connects_to'],
      [2, 3, 1, 'connects_to'],
      [3, 4, 2, 'runs_on'],
      [4, 5, 3, 'runs_on'],
      [5, 5, 4, 'depends_on'],
      [6, 6, 2, 'part_of'],
      [7, 2, 7, 'hosted_in'],
    ]);
  it('walks up to the applications, one fetch per level', async () => {
    const x = g();
    const r = await walkImpact({ id: 1 }, { direction: 'up', depth: 5, maxNodes: 100 }, x.fetch);
    expect(r.nodes.map((n) => [n.node.id, n.depth]).sort()).toEqual([[1, 0], [2, 1], [3, 1], [4, 2], [5, 2]]);
    expect(r.truncated).toBe(false);
    expect(x.calls()).toBeLessThanOrEqual(5);
  });
  it('part_of: a failing part affects its whole', async () => {
    const r = await walkImpact({ id: 6 }, { direction: 'up', depth: 1, maxNodes: 100 }, g().fetch);
    expect(r.nodes.map((n) => n.node.id).sort()).toEqual([2, 6]);
  });
  it('walks down to what it relies on', async () => {
    const r = await walkImpact({ id: 5 }, { direction: 'down', depth: 10, maxNodes: 100 }, g().fetch);
    expect(r.nodes.map((n) => n.node.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
  it('stops at the depth', async () => {
    const r = await walkImpact({ id: 1 }, { direction: 'up', depth: 1, maxNodes: 100 }, g().fetch);
    expect(r.nodes.map((n) => n.node.id).sort()).toEqual([1, 2, 3]);
    expect(r.levels).toBe(1);
  });
  it('ends on cycles (a ring of switches, mutual dependencies)', async () => {
    const ring = graph([
      [1, 1, 2, 'connects_to'],
      [2, 2, 3, 'connects_to'],
      [3, 3, 1, 'connects_to'],
      [4, 4, 5, 'depends_on'],
      [5, 5, 4, 'depends_on'],
      [6, 4, 1, 'runs_on'],
    ]);
    const r = await walkImpact({ id: 1 }, { direction: 'both', depth: 10, maxNodes: 100 }, ring.fetch);
    expect(r.nodes.map((n) => n.node.id).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(r.edges.map((e) => e.id).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ring.calls()).toBeLessThan(20);
  });
  it('both: each walk keeps its direction (siblings are not affected)', async () => {
    // 2 and 3 both run on 1; from 2: down reaches 1, up reaches nothing; 3 is a sibling
    const s = graph([
      [1, 2, 1, 'runs_on'],
      [2, 3, 1, 'runs_on'],
    ]);
    const r = await walkImpact({ id: 2 }, { direction: 'both', depth: 5, maxNodes: 100 }, s.fetch);
    expect(r.nodes.map((n) => n.node.id).sort()).toEqual([1, 2]);
  });
  it('truncates at maxNodes and says so', async () => {
    const edges: Array<[number, number, number, RelationType]> = [];
    for (let i = 2; i <= 1001; i++) edges.push([i, i, 1, 'connects_to']);
    const r = await walkImpact({ id: 1 }, { direction: 'up', depth: 5, maxNodes: 100 }, graph(edges).fetch);
    expect(r.nodes).toHaveLength(100);
    expect(r.truncated).toBe(true);
    for (const e of r.edges) expect(r.nodes.some((n) => n.node.id === e.source)).toBe(true);
  });
  it('finds cycles of acyclic edges', async () => {
    const next = (edges: Array<[number, number]>) => async (ids: number[]) => edges.filter(([s]) => ids.includes(s)).map(([, t]) => t);
    // 1 hosted_in 2, 2 hosted_in 3: adding 3 → 1 closes a cycle, 1 → 3 does not
    expect(await closesCycle(3, 1, next([[1, 2], [2, 3]]))).toBe(true);
    expect(await closesCycle(1, 3, next([[1, 2], [2, 3]]))).toBe(false);
    expect(await closesCycle(4, 4, next([]))).toBe(true);
  });
  it('chunks and prefix ranges', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(prefixRange('SRV-')).toEqual({ lo: 'SRV-', hi: 'SRV.' });
    expect(prefixRange('10.1.')).toEqual({ lo: '10.1.', hi: '10.1/' });
  });
});
