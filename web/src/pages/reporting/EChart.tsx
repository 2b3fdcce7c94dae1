import { useEffect, useRef, type CSSProperties } from 'react';
import { echarts } from './echarts';

type Instance = ReturnType<typeof echarts.init>;

/**
 * One ECharts chart in a div: created on mount, its option replaced on change, resized with its
 * box, disposed on unmount. (echarts-for-react's builds import tslib without declaring it, which
 * a strict bundler refuses; this is the little of it the dashboards need.)
 */
export function EChart({
  option,
  style,
  onClick,
  className,
}: {
  option: Record<string, unknown>;
  style?: CSSProperties;
  onClick?: (params: { data?: unknown }) => void;
  className?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const dom = el.current!;
    const inst = echarts.init(dom, undefined, { renderer: 'svg' });
    chart.current = inst;
    inst.on('click', (p) => click.current?.(p as { data?: unknown }));
    // the browser tests find a point's pixel through the instance (convertToPixel)
    Object.defineProperty(dom, 'ywChart', { value: inst, configurable: true });
    const ro = new ResizeObserver(() => inst.resize());
    ro.observe(dom);
    return () => {
      ro.disconnect();
      inst.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={el} style={style} className={className} />;
}
