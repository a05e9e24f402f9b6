// The usage charts (lib/usage.ts): for each, a title, a text summary (the period's total), the bars
// (./bar-chart.tsx, a client component) and the same numbers as a table behind "Show as table".
// The period is chosen with links (?days=7|30|90), so it works without JavaScript.
import Link from 'next/link';
import { USAGE_PERIODS, type UsageChart, type UsageReport } from '@/lib/usage';
import { UsageBarChart, type BarSeries } from './bar-chart';

const COLORS = ['#4f46e5', '#059669', '#d97706', '#0284c7', '#e11d48', '#7c3aed', '#475569'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "Nov 30" for '2026-11-30' (UTC days, as stored). */
export const shortDay = (day: string) => `${MONTHS[Number(day.slice(5, 7)) - 1]} ${Number(day.slice(8, 10))}`;
const num = (n: number) => n.toLocaleString('en-US');

/** "7 days · 30 days · 90 days": links to `href(days)`, the chosen one aria-current. */
export function PeriodChoice({ days, href }: { days: number; href: (days: number) => string }) {
  return (
    <nav aria-label="Period" className="flex flex-wrap items-center gap-2 text-sm">
      <span className="text-slate-600">Show the last</span>
      {USAGE_PERIODS.map((d) => (
        <Link
          key={d}
          href={href(d)}
          scroll={false}
          aria-current={d === days ? 'true' : undefined}
          data-testid={`usage-period-${d}`}
          className="rounded-md px-3 py-1 font-medium text-indigo-700 ring-1 ring-slate-300 hover:bg-slate-50 aria-[current=true]:bg-indigo-600 aria-[current=true]:text-white aria-[current=true]:ring-indigo-600"
        >
          {d} days
        </Link>
      ))}
    </nav>
  );
}

function summary(c: UsageChart, days: number): string {
  const period = `in the last ${days} days`;
  if (c.id === 'active-users') {
    const busiest = c.rows.find((r) => r.values.users === c.total);
    return `At most ${num(c.total)} ${c.total === 1 ? 'user' : 'users'} a day ${period}${busiest && c.total > 0 ? ` (busiest: ${shortDay(busiest.day)})` : ''}.`;
  }
  return `${num(c.total)} ${c.total === 1 ? c.unitOne : c.unit} ${period}.`;
}

/** One chart with its summary and table; `headingLevel` is the level of its title. */
export function UsageChartView({ chart, report, headingLevel = 3 }: { chart: UsageChart; report: UsageReport; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const id = `chart-${chart.id}`;
  const series: BarSeries[] = chart.series.map((s, i) => ({ key: `s${i}`, label: s.label, color: COLORS[i % COLORS.length] }));
  const rows = chart.rows.map((r) => ({ label: shortDay(r.day), ...Object.fromEntries(chart.series.map((s, i) => [`s${i}`, r.values[s.key] ?? 0])) }));
  const range = `${shortDay(report.from)} to ${shortDay(report.to)}, UTC`;
  return (
    <section aria-labelledby={`${id}-title`} data-testid={id} className="min-w-0 rounded-lg border border-slate-200 p-4">
      <H id={`${id}-title`} className="font-semibold text-slate-900">
        {chart.title}
      </H>
      <p className="mt-1 text-sm text-slate-600" data-testid={`${id}-summary`}>
        {summary(chart, report.days)} <span className="text-slate-500">({range})</span>
      </p>
      {chart.total === 0 ? (
        <p className="mt-3 rounded-md bg-slate-50 px-3 py-6 text-center text-sm text-slate-500" data-testid={`${id}-empty`}>
          Nothing to show yet: no {chart.unit} in this period.
        </p>
      ) : (
        <>
          <div className="mt-3">
            <UsageBarChart rows={rows} series={series} label={`${chart.title}: bar chart of the last ${report.days} days. The numbers are in the table that follows.`} />
          </div>
          <details className="mt-2 text-sm">
            <summary className="cursor-pointer font-medium text-indigo-700 hover:underline">Show as table</summary>
            {/* Scrolls on its own (a phone, 90 rows), so it is focusable for keyboard scrolling. */}
            <div className="mt-2 max-h-96 overflow-x-auto overflow-y-auto" tabIndex={0} role="region" aria-label={`${chart.title}, as a table`}>
              <table className="w-full text-left text-xs" data-testid={`${id}-table`}>
                <caption className="mb-1 text-left text-slate-600">
                  {chart.title} ({range})
                </caption>
                <thead className="sticky top-0 bg-white">
                  <tr className="border-b border-slate-200">
                    <th scope="col" className="py-1 pr-3 font-medium">
                      Day
                    </th>
                    {chart.series.map((s) => (
                      <th key={s.key} scope="col" className="py-1 pr-3 text-right font-medium">
                        {s.label}
                      </th>
                    ))}
                    {chart.series.length > 1 ? (
                      <th scope="col" className="py-1 text-right font-medium">
                        Total
                      </th>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {chart.rows.map((r) => (
                    <tr key={r.day} className="border-b border-slate-100">
                      <th scope="row" className="py-1 pr-3 font-normal whitespace-nowrap">
                        {r.day}
                      </th>
                      {chart.series.map((s) => (
                        <td key={s.key} className="py-1 pr-3 text-right tabular-nums">
                          {num(r.values[s.key] ?? 0)}
                        </td>
                      ))}
                      {chart.series.length > 1 ? (
                        <td className="py-1 text-right tabular-nums">{num(Object.values(r.values).reduce((a, b) => a + b, 0))}</td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

/** Active grants now: a gauge, not a chart. */
export function ActiveGrants({ report }: { report: UsageReport }) {
  const g = report.activeGrants;
  return (
    <dl className="grid grid-cols-2 gap-3 text-sm" data-testid="usage-active-grants">
      <div className="rounded-lg border border-slate-200 p-3">
        <dt className="text-slate-600">Active grants now (live refresh tokens)</dt>
        <dd className="text-2xl font-semibold tabular-nums text-slate-900">{num(g.refreshFamilies)}</dd>
      </div>
      <div className="rounded-lg border border-slate-200 p-3">
        <dt className="text-slate-600">Users who have consented</dt>
        <dd className="text-2xl font-semibold tabular-nums text-slate-900">{num(g.consents)}</dd>
      </div>
    </dl>
  );
}

/** The period choice, the active grants and every chart of `report`, two columns on wide screens. */
export function UsageCharts({ report, href }: { report: UsageReport; href: (days: number) => string }) {
  return (
    <div className="space-y-4">
      <PeriodChoice days={report.days} href={href} />
      <ActiveGrants report={report} />
      <div className="grid gap-4 lg:grid-cols-2">
        {report.charts.map((c) => (
          <UsageChartView key={c.id} chart={c} report={report} />
        ))}
      </div>
    </div>
  );
}
