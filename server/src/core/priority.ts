import { CoreError, isRecord, type Problem } from './problem.js';

/**
 * Priority = matrix(impact, urgency) (GLOSSARY: 影响度 / 紧急度 / 优先级). Impacts and urgencies are
 * listed from the most severe to the least; a level's rank is 1 for the most urgent. A valid
 * matrix fills every cell and is monotone: a more severe impact or urgency never gives a lower
 * priority (a larger rank) than a less severe one.
 */
export interface MatrixAxisValue {
  code: string;
  name: string;
}

export interface PriorityLevel {
  code: string;
  name: string;
  /** 1 = most urgent; unique within a matrix. */
  rank: number;
}

export interface PriorityMatrix {
  impacts: MatrixAxisValue[];
  urgencies: MatrixAxisValue[];
  levels: PriorityLevel[];
  /** cells[impact][urgency] = level code. */
  cells: Record<string, Record<string, string>>;
}

export type PriorityCode =
  | 'priority.type.invalid'
  | 'priority.required'
  | 'priority.code.duplicate'
  | 'priority.rank.invalid'
  | 'priority.rank.duplicate'
  | 'priority.cell.missing'
  | 'priority.cell.unknownLevel'
  | 'priority.cell.unknownImpact'
  | 'priority.cell.unknownUrgency'
  | 'priority.cell.notMonotone'
  | 'priority.impact.unknown'
  | 'priority.urgency.unknown';

export class PriorityError extends CoreError {
  declare readonly code: PriorityCode;

  constructor(code: PriorityCode, params: Record<string, string | number> = {}) {
    super(code, params);
  }
}

/** The default 3×3 matrix with four levels (P1 … P4). */
export const DEFAULT_PRIORITY_MATRIX: PriorityMatrix = {
  impacts: [
    { code: 'high', name: '高（大范围或关键业务）' },
    { code: 'medium', name: '中（部门或多人）' },
    { code: 'low', name: '低（个人）' },
  ],
  urgencies: [
    { code: 'high', name: '高（业务中断）' },
    { code: 'medium', name: '中（业务受影响）' },
    { code: 'low', name: '低（可延后）' },
  ],
  levels: [
    { code: 'P1', name: '紧急', rank: 1 },
    { code: 'P2', name: '高', rank: 2 },
    { code: 'P3', name: '中', rank: 3 },
    { code: 'P4', name: '低', rank: 4 },
  ],
  cells: {
    high: { high: 'P1', medium: 'P2', low: 'P3' },
    medium: { high: 'P2', medium: 'P3', low: 'P4' },
    low: { high: 'P3', medium: 'P4', low: 'P4' },
  },
};

type Add = (field: string, code: PriorityCode, params?: Record<string, string | number>) => void;

function checkCodes(list: unknown, field: string, add: Add): string[] {
  if (!Array.isArray(list) || list.length === 0) {
    add(field, 'priority.required');
    return [];
  }
  const codes: string[] = [];
  list.forEach((item: unknown, i) => {
    if (!isRecord(item)) return add(`${field}[${i}]`, 'priority.type.invalid', { expected: 'object' });
    if (typeof item.code !== 'string' || item.code.trim() === '') return add(`${field}[${i}].code`, 'priority.required');
    if (typeof item.name !== 'string' || item.name.trim() === '') add(`${field}[${i}].name`, 'priority.required');
    if (codes.includes(item.code)) add(`${field}[${i}].code`, 'priority.code.duplicate', { code: item.code });
    else codes.push(item.code);
  });
  return codes;
}

/** All problems of a matrix (empty when valid); takes `unknown` so services can check parsed JSON. */
export function validateMatrix(input: unknown): Problem[] {
  const problems: Problem[] = [];
  const add: Add = (field, code, params = {}) => {
    problems.push({ field, code, params });
  };
  if (!isRecord(input)) {
    add('', 'priority.type.invalid', { expected: 'object' });
    return problems;
  }
  const impacts = checkCodes(input.impacts, 'impacts', add);
  const urgencies = checkCodes(input.urgencies, 'urgencies', add);
  const levels = checkCodes(input.levels, 'levels', add);
  const rankOf = new Map<string, number>();
  if (Array.isArray(input.levels)) {
    const ranks = new Set<number>();
    input.levels.forEach((level: unknown, i) => {
      if (!isRecord(level)) return;
      const rank = level.rank;
      if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1) return add(`levels[${i}].rank`, 'priority.rank.invalid', { value: String(rank) });
      if (ranks.has(rank)) add(`levels[${i}].rank`, 'priority.rank.duplicate', { rank });
      ranks.add(rank);
      if (typeof level.code === 'string') rankOf.set(level.code, rank);
    });
  }
  if (!isRecord(input.cells)) {
    add('cells', 'priority.type.invalid', { expected: 'object' });
    return problems;
  }
  const cells = input.cells;
  for (const impact of Object.keys(cells)) {
    if (!impacts.includes(impact)) add(`cells.${impact}`, 'priority.cell.unknownImpact', { impact });
    else if (!isRecord(cells[impact])) add(`cells.${impact}`, 'priority.type.invalid', { expected: 'object' });
    else for (const urgency of Object.keys(cells[impact] as object)) {
      if (!urgencies.includes(urgency)) add(`cells.${impact}.${urgency}`, 'priority.cell.unknownUrgency', { urgency });
    }
  }
  // grid[i][j]: rank of impact i × urgency j, or undefined when the cell is missing or invalid.
  const grid = impacts.map((impact) =>
    urgencies.map((urgency) => {
      const row = cells[impact];
      const level = isRecord(row) ? row[urgency] : undefined;
      const field = `cells.${impact}.${urgency}`;
      if (level === undefined) add(field, 'priority.cell.missing', { impact, urgency });
      else if (typeof level !== 'string' || !levels.includes(level)) add(field, 'priority.cell.unknownLevel', { value: String(level) });
      else return rankOf.get(level);
      return undefined;
    }),
  );
  grid.forEach((row, i) =>
    row.forEach((rank, j) => {
      if (rank === undefined) return;
      const above = i > 0 ? grid[i - 1][j] : undefined;
      const left = j > 0 ? row[j - 1] : undefined;
      if ((above !== undefined && above > rank) || (left !== undefined && left > rank)) {
        add(`cells.${impacts[i]}.${urgencies[j]}`, 'priority.cell.notMonotone', { impact: impacts[i], urgency: urgencies[j] });
      }
    }),
  );
  return problems;
}

/** The level code for an impact and an urgency; throws PriorityError for unknown codes. */
export function priorityOf(matrix: PriorityMatrix, impact: string, urgency: string): string {
  const row = Object.hasOwn(matrix.cells, impact) ? matrix.cells[impact] : undefined;
  if (!row) throw new PriorityError('priority.impact.unknown', { impact });
  const level = Object.hasOwn(row, urgency) ? row[urgency] : undefined;
  if (level === undefined) throw new PriorityError('priority.urgency.unknown', { urgency });
  return level;
}
