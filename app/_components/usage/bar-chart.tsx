'use client';
// One usage chart's bars (recharts), drawn in the browser. The numbers are also in the table the
// server renders beside it (./usage-charts.tsx), which is what assistive technology reads: the
// drawing is one image with a label, its parts not focusable.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface BarSeries {
  /** The key of the value in each row ("s0", "s1", …: recharts reads dots in keys as paths). */
  key: string;
  label: string;
  color: string;
}

/** Rows oldest first: the day's short label and each series' count. */
export function UsageBarChart({ rows, series, label }: { rows: Array<Record<string, string | number>>; series: BarSeries[]; label: string }) {
  return (
    <div role="img" aria-label={label} className="h-56 w-full">
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 320, height: 224 }}>
        <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: '#475569' }} interval="preserveStartEnd" minTickGap={12} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: '#475569' }} width={48} />
          <Tooltip cursor={{ fill: '#f1f5f9' }} />
          {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
          {series.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="day" fill={s.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
