import { crc32, deflateSync } from 'node:zlib';
import { Rng } from './history/prng.js';

/**
 * Handwritten-looking signatures for the demo's signed repair reports: what a customer's
 * finger leaves on the signature pad — a few quick, slanted, connected strokes per character
 * of the name, thick in the middle and thin where the pen lands and lifts, sometimes a
 * flourish underneath — as the PNG the pad sends (transparent, dark blue-black ink). The same
 * name always gives the same image (a person signs alike every time), other names other ones.
 */

export const SIGNATURE_WIDTH = 420;
export const SIGNATURE_HEIGHT = 160;
const INK = [22, 34, 78] as const;

type Point = [number, number];

/** A seed from a name (FNV-1a over its UTF-16 code units). */
function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A Catmull-Rom curve through the points, sampled about every half pixel. */
function smooth(points: Point[]): Point[] {
  const out: Point[] = [];
  const p = [points[0], ...points, points[points.length - 1]];
  for (let i = 1; i < p.length - 2; i++) {
    const [p0, p1, p2, p3] = [p[i - 1], p[i], p[i + 1], p[i + 2]];
    const steps = Math.max(2, Math.ceil(Math.hypot(p2[0] - p1[0], p2[1] - p1[1]) * 2));
    for (let s = 0; s < steps; s++) {
      const t = s / steps;
      const t2 = t * t;
      const t3 = t2 * t;
      const at = (k: 0 | 1) => 0.5 * (2 * p1[k] + (p2[k] - p0[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2 + (3 * p1[k] - p0[k] - 3 * p2[k] + p3[k]) * t3);
      out.push([at(0), at(1)]);
    }
  }
  out.push(points[points.length - 1]);
  return out;
}

/**
 * The basic strokes of a Chinese character, in a unit cell (x right, y down, -0.5…0.5): 横, 竖,
 * 撇, 捺, 点, 横折, 竖钩, 提. A hurried hand draws a few of them per character and runs them
 * together.
 */
const STROKES: Point[][] = [
  [[-0.4, -0.05], [0, -0.1], [0.42, -0.14]],
  [[0.02, -0.45], [0.0, 0.0], [-0.02, 0.45]],
  [[0.15, -0.4], [0.0, 0.0], [-0.35, 0.38]],
  [[-0.1, -0.1], [0.15, 0.15], [0.45, 0.35]],
  [[-0.05, -0.45], [0.05, -0.32]],
  [[-0.35, -0.3], [0.3, -0.34], [0.25, 0.1], [0.2, 0.4]],
  [[0.05, -0.42], [0.06, 0.3], [-0.12, 0.2]],
  [[-0.38, 0.28], [-0.05, 0.1], [0.3, -0.1]],
];

/** The strokes of a signature: points in pixels, before slant. */
function strokesOf(name: string, rng: Rng): Point[][] {
  const chars = [...name.trim()].slice(0, 4);
  const n = Math.max(1, chars.length);
  const left = SIGNATURE_WIDTH * 0.1;
  const cell = (SIGNATURE_WIDTH * 0.72) / n;
  const mid = SIGNATURE_HEIGHT * 0.45;
  const size = Math.min(cell * 0.95, SIGNATURE_HEIGHT * 0.6);
  const strokes: Point[][] = [];
  let current: Point[] = [];
  for (let c = 0; c < n; c++) {
    // Each character a little smaller and lower than the one before, as a hurried hand goes.
    const scale = size * (1 - c * 0.06) * (0.9 + rng.next() * 0.2);
    const cx = left + (c + 0.5) * cell + rng.normal() * 3;
    const cy = mid + c * 3 + rng.normal() * 3;
    const count = rng.int(3, 5);
    for (let s = 0; s < count; s++) {
      const shape = rng.pick(STROKES);
      const squeeze = 0.75 + rng.next() * 0.5;
      const dx = (rng.next() - 0.5) * 0.35;
      const dy = (rng.next() - 0.5) * 0.35;
      const points = shape.map(([x, y]) => [cx + (x * squeeze + dx) * scale + rng.normal() * 1.5, cy + (y + dy) * scale + rng.normal() * 1.5] as Point);
      // The pen often stays down from one stroke to the next (连笔).
      if (current.length && rng.chance(0.55)) current.push(...points);
      else {
        if (current.length) strokes.push(current);
        current = points;
      }
    }
  }
  if (current.length) strokes.push(current);
  if (rng.chance(0.6)) {
    // The flourish: from the end of the name back under it.
    const last = strokes[strokes.length - 1];
    const end = last[last.length - 1];
    const y = mid + size * 0.5 + rng.next() * 6;
    last.push([end[0] + 10, y - 4], [left + cell * n * 0.5, y + 3], [left + rng.next() * 20, y + rng.normal() * 2]);
  }
  return strokes;
}

/** The signature's pixels: ink coverage (0–1) per pixel, the pen's width varying along each stroke. */
function rasterise(strokes: Point[][], rng: Rng): Float32Array {
  const w = SIGNATURE_WIDTH;
  const h = SIGNATURE_HEIGHT;
  const cover = new Float32Array(w * h);
  const slant = 0.22 + rng.next() * 0.12;
  const base = 1.6 + rng.next() * 0.9;
  for (const stroke of strokes) {
    const path = smooth(stroke.map(([x, y]) => [x + slant * (h / 2 - y), y] as Point));
    const weight = 0.8 + rng.next() * 0.5;
    for (let i = 0; i < path.length; i++) {
      const t = i / Math.max(1, path.length - 1);
      // Thin where the pen lands and lifts, heavier in between.
      const r = base * weight * (0.35 + 0.65 * Math.sin(Math.PI * Math.min(1, t * 1.15)));
      const [px, py] = path[i];
      for (let y = Math.max(0, Math.floor(py - r - 1)); y <= Math.min(h - 1, Math.ceil(py + r + 1)); y++) {
        for (let x = Math.max(0, Math.floor(px - r - 1)); x <= Math.min(w - 1, Math.ceil(px + r + 1)); x++) {
          const c = Math.min(1, Math.max(0, r + 0.5 - Math.hypot(x + 0.5 - px, y + 0.5 - py)));
          if (c > cover[y * w + x]) cover[y * w + x] = c;
        }
      }
    }
  }
  return cover;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An RGBA PNG of the coverage in ink, transparent elsewhere. */
function encodePng(cover: Float32Array): Buffer {
  const w = SIGNATURE_WIDTH;
  const h = SIGNATURE_HEIGHT;
  const raw = Buffer.alloc(h * (1 + w * 4));
  for (let y = 0; y < h; y++) {
    const row = y * (1 + w * 4);
    raw[row] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const a = cover[y * w + x];
      if (a <= 0) continue;
      const o = row + 1 + x * 4;
      raw[o] = INK[0];
      raw[o + 1] = INK[1];
      raw[o + 2] = INK[2];
      raw[o + 3] = Math.round(a * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const magic = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([magic, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** The PNG of `name`'s signature. */
export function signaturePng(name: string): Buffer {
  const rng = new Rng(seedOf(name));
  return encodePng(rasterise(strokesOf(name, rng), rng));
}

/** The signature as the signature pad sends it: a PNG data URL. */
export function signatureDataUrl(name: string): string {
  return `data:image/png;base64,${signaturePng(name).toString('base64')}`;
}
