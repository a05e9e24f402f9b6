// A timestamp as text, in UTC (server-rendered: the browser's zone is unknown here), with the
// exact instant in the <time> element for tools and tooltips.
export function formatUtc(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function Time({ date, empty = '—' }: { date: Date | null | undefined; empty?: string }) {
  if (!date) return <span className="text-slate-500">{empty}</span>;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()} className="whitespace-nowrap">
      {formatUtc(date)}
    </time>
  );
}
