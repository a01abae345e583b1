import { useId } from 'react';
import { chartScale, niceTicks } from './chart-scale.ts';

export interface ChartPoint {
  /** Time in milliseconds since the epoch. */
  x: number;
  y: number;
  /** Outside the reference range: drawn as a diamond, not only in another colour. */
  flagged?: boolean;
  /** Extra text for the data table (the source organization, the flag). */
  note?: string;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
}

export interface LineChartProps {
  title: string;
  /** A one-sentence summary read by screen readers in place of the picture. */
  summary: string;
  series: ChartSeries[];
  unit?: string;
  range?: { low?: number; high?: number; label: string };
  formatX: (ms: number) => string;
  formatY?: (v: number) => string;
  /** The data table shown on request: its toggle text and column headers. */
  table: { toggle: string; date: string; value: string; series: string; note: string };
}

const W = 640;
const H = 280;
const M = { top: 16, right: 20, bottom: 44, left: 56 };

/**
 * A line chart of values over time as SVG, with its text alternative: the picture is one image
 * named by its title and summary, and the same numbers are a data table one click away.
 */
export function LineChart({ title, summary, series, unit, range, formatX, formatY = (v) => String(v), table }: LineChartProps) {
  const id = useId();
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return null;
  const ys = all.map((p) => p.y).concat(range?.low ?? [], range?.high ?? []);
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const yLo = yTicks[0] ?? 0;
  const yHi = yTicks[yTicks.length - 1] ?? 1;
  const xs = all.map((p) => p.x);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const x = chartScale(xMin, xMax, M.left + 12, W - M.right - 12);
  const y = chartScale(yLo, yHi, H - M.bottom, M.top);
  const xTicks = xMin === xMax ? [xMin] : [xMin, xMin + (xMax - xMin) / 2, xMax];
  const rows = series.flatMap((s) => s.points.map((p) => ({ s: s.name, p }))).sort((a, b) => a.p.x - b.p.x);
  return (
    <figure className="ui-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        {range && (range.low !== undefined || range.high !== undefined) && (
          <rect
            className="ui-chart-range"
            x={M.left}
            width={W - M.left - M.right}
            y={y(range.high ?? yHi)}
            height={Math.max(0, y(range.low ?? yLo) - y(range.high ?? yHi))}
          />
        )}
        {yTicks.map((t) => (
          <g key={t} className="ui-chart-grid">
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} />
            <text x={M.left - 8} y={y(t)} dy="0.32em" textAnchor="end">
              {formatY(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t, i) => (
          <text key={t} className="ui-chart-axis" x={x(t)} y={H - M.bottom + 20} textAnchor={xTicks.length === 1 ? 'middle' : i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}>
            {formatX(t)}
          </text>
        ))}
        {unit && (
          <text className="ui-chart-axis" x={M.left - 8} y={H - 8} textAnchor="end">
            {unit}
          </text>
        )}
        {series.map((s, si) => {
          const pts = [...s.points].sort((a, b) => a.x - b.x);
          return (
            <g key={s.name} className={`ui-chart-series ui-chart-series-${si % 4}`}>
              <polyline fill="none" points={pts.map((p) => `${x(p.x)},${y(p.y)}`).join(' ')} />
              {pts.map((p) =>
                p.flagged ? (
                  <path key={`${p.x}-${p.y}`} className="ui-chart-flag" d={`M${x(p.x)},${y(p.y) - 7}l7,7l-7,7l-7,-7z`} />
                ) : (
                  <circle key={`${p.x}-${p.y}`} cx={x(p.x)} cy={y(p.y)} r={4.5} />
                ),
              )}
            </g>
          );
        })}
      </svg>
      {series.length > 1 && (
        <ul className="ui-chart-legend" aria-hidden="true">
          {series.map((s, si) => (
            <li key={s.name} className={`ui-chart-series-${si % 4}`}>
              {s.name}
            </li>
          ))}
        </ul>
      )}
      {range && <figcaption className="ui-hint">{range.label}</figcaption>}
      <details className="ui-chart-table">
        <summary>{table.toggle}</summary>
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">{table.date}</th>
              <th scope="col">{table.value}</th>
              {series.length > 1 && <th scope="col">{table.series}</th>}
              <th scope="col">{table.note}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ s, p }, i) => (
              <tr key={i}>
                <td>{formatX(p.x)}</td>
                <td>
                  {formatY(p.y)}
                  {unit ? ` ${unit}` : ''}
                </td>
                {series.length > 1 && <td>{s}</td>}
                <td>{p.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
