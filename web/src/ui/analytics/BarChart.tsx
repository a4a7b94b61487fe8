// A small hand-written SVG bar chart: a title and a description for
// screen readers (role="img"), y-axis ticks, the first and last day on the
// x axis, a tooltip per bar. The dashboard shows every value in a table
// too (the chart's fallback).
import { useId } from "preact/hooks";

export type Bar = { label: string; value: number };

const W = 640;
const H = 200;
const PAD = { top: 12, right: 12, bottom: 34, left: 48 };

// niceMax rounds the axis's top up to 1, 2 or 5 × a power of ten.
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export function BarChart({ title, desc, yLabel, bars }: { title: string; desc: string; yLabel: string; bars: Bar[] }) {
  const id = useId();
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const step = bars.length > 0 ? iw / bars.length : iw;
  const bw = Math.max(1, step * 0.7);
  const y = (v: number) => PAD.top + ih - (v / max) * ih;
  const ticks = [0, max / 2, max];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{desc}</desc>
        {ticks.map((v) => (
          <g key={v} class="chart-tick">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end">
              {Number.isInteger(v) ? v : v.toFixed(1)}
            </text>
          </g>
        ))}
        <text class="chart-axis-label" transform={`translate(12 ${PAD.top + ih / 2}) rotate(-90)`} text-anchor="middle">
          {yLabel}
        </text>
        {bars.map((b, i) => (
          <rect key={b.label} class="chart-bar" data-day={b.label} x={PAD.left + i * step + (step - bw) / 2} y={y(b.value)} width={bw} height={Math.max(0, PAD.top + ih - y(b.value))} data-value={b.value}>
            <title>{`${b.label}: ${b.value}`}</title>
          </rect>
        ))}
        <line class="chart-axis" x1={PAD.left} x2={W - PAD.right} y1={PAD.top + ih} y2={PAD.top + ih} />
        {bars.length > 0 && (
          <>
            <text class="chart-x" x={PAD.left} y={H - 10} text-anchor="start">
              {bars[0].label}
            </text>
            <text class="chart-x" x={W - PAD.right} y={H - 10} text-anchor="end">
              {bars[bars.length - 1].label}
            </text>
          </>
        )}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
