import { useCallback, useEffect, useImperativeHandle, useRef, type Ref } from 'react';

/** A stroke: points in CSS pixels of the canvas, with the pen's pressure (0.5 for mouse and touch). */
type Stroke = Array<{ x: number; y: number; p: number }>;

export interface SignaturePadHandle {
  clear(): void;
  undo(): void;
  /** The signature as a PNG data URL, cropped to the ink (transparent background), or null when empty. */
  toPng(): string | null;
}

const INK = '#10204a';
const BASE_WIDTH = 2.6;
/** The server wants at least 64×32 pixels and at most 4096 on a side. */
const MIN_W = 64;
const MIN_H = 32;
const MAX_W = 1600;
const PAD = 12;

function widthOf(p: number): number {
  return BASE_WIDTH * (0.6 + p * 0.8);
}

function drawStroke(ctx: CanvasRenderingContext2D, s: Stroke, dx = 0, dy = 0, scale = 1) {
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  if (s.length === 1) {
    ctx.beginPath();
    ctx.arc((s[0].x - dx) * scale, (s[0].y - dy) * scale, (widthOf(s[0].p) / 2) * scale, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  for (let i = 1; i < s.length; i++) {
    ctx.lineWidth = widthOf(s[i].p) * scale;
    ctx.beginPath();
    ctx.moveTo((s[i - 1].x - dx) * scale, (s[i - 1].y - dy) * scale);
    ctx.lineTo((s[i].x - dx) * scale, (s[i].y - dy) * scale);
    ctx.stroke();
  }
}

/**
 * A signature pad on a <canvas> driven by pointer events, so a mouse, a finger and a pen all
 * write (`touch-action: none` keeps the page from scrolling under a finger). The strokes are
 * kept as points: the pad redraws them when it is resized or a stroke is undone, and the PNG
 * is drawn from them at the resolution of the device, cropped to the ink.
 */
export function SignaturePad({ ref, onChange, testid, label }: { ref?: Ref<SignaturePadHandle>; onChange?: (strokes: number) => void; testid?: string; label?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const strokes = useRef<Stroke[]>([]);
  const current = useRef<{ id: number; stroke: Stroke } | null>(null);

  const redraw = useCallback(() => {
    const c = canvas.current;
    if (!c) return;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    for (const s of strokes.current) drawStroke(ctx, s);
  }, []);

  // The canvas's pixels follow its CSS size and the device's pixel ratio (sharp ink on a phone).
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const fit = () => {
      const ratio = window.devicePixelRatio || 1;
      const { width, height } = c.getBoundingClientRect();
      c.width = Math.max(1, Math.round(width * ratio));
      c.height = Math.max(1, Math.round(height * ratio));
      redraw();
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(c);
    return () => ro.disconnect();
  }, [redraw]);

  const changed = () => onChange?.(strokes.current.length);

  useImperativeHandle(ref, () => ({
    clear() {
      strokes.current = [];
      current.current = null;
      redraw();
      changed();
    },
    undo() {
      strokes.current.pop();
      redraw();
      changed();
    },
    toPng() {
      const all = strokes.current.flat();
      if (!all.length) return null;
      const minX = Math.min(...all.map((p) => p.x)) - PAD;
      const minY = Math.min(...all.map((p) => p.y)) - PAD;
      const w = Math.max(...all.map((p) => p.x)) + PAD - minX;
      const h = Math.max(...all.map((p) => p.y)) + PAD - minY;
      const scale = Math.min(window.devicePixelRatio || 1, MAX_W / w) || 1;
      const out = document.createElement('canvas');
      out.width = Math.max(MIN_W, Math.ceil(w * scale));
      out.height = Math.max(MIN_H, Math.ceil(h * scale));
      const ctx = out.getContext('2d');
      if (!ctx) return null;
      for (const s of strokes.current) drawStroke(ctx, s, minX, minY, scale);
      return out.toDataURL('image/png');
    },
  }));

  const point = (e: PointerEvent | React.PointerEvent): { x: number; y: number; p: number } => {
    const rect = canvas.current!.getBoundingClientRect();
    const p = e.pointerType === 'pen' && e.pressure > 0 ? e.pressure : 0.5;
    return { x: e.clientX - rect.left, y: e.clientY - rect.top, p };
  };

  const onDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    const stroke: Stroke = [point(e)];
    current.current = { id: e.pointerId, stroke };
    strokes.current.push(stroke);
    redraw();
  };

  const onMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const cur = current.current;
    if (!cur || cur.id !== e.pointerId) return;
    e.preventDefault();
    const ctx = canvas.current?.getContext('2d');
    // Coalesced events: the points the browser merged into this one (smooth fast strokes).
    const events = typeof e.nativeEvent.getCoalescedEvents === 'function' ? e.nativeEvent.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e.nativeEvent]) {
      const p = point(ev);
      const last = cur.stroke[cur.stroke.length - 1];
      cur.stroke.push(p);
      if (ctx) drawStroke(ctx, [last, p]);
    }
  };

  const onUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!current.current || current.current.id !== e.pointerId) return;
    current.current = null;
    changed();
  };

  return (
    <canvas
      ref={canvas}
      data-testid={testid}
      aria-label={label}
      role="img"
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      onPointerCancel={onUp}
      style={{ width: '100%', height: '100%', display: 'block', touchAction: 'none', cursor: 'crosshair', background: '#fff' }}
    />
  );
}
