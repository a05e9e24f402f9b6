import type { ReactNode } from 'react';

export function Table({ head, children, label }: { head: ReactNode[]; children: ReactNode; label: string }) {
  return (
    // A focusable, labelled scrolling region: on a narrow screen the table scrolls sideways (by
    // swipe or keyboard) instead of being cut off (WCAG 2.1.1, 1.4.10).
    <div role="region" aria-label={`${label} (scrolls sideways)`} tabIndex={0} className="min-w-0 max-w-full overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-300">
      <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label={label}>
        <thead className="bg-slate-50">
          <tr>
            {head.map((h, i) => (
              <th key={i} scope="col" className="whitespace-nowrap px-3 py-2 text-left font-semibold text-slate-700">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

export const td = 'px-3 py-2 align-top text-slate-800';

export function Empty({ cols, children }: { cols: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={cols} className="px-3 py-6 text-center text-slate-500">
        {children}
      </td>
    </tr>
  );
}

export function Badge({ tone = 'slate', children }: { tone?: 'slate' | 'green' | 'red' | 'amber' | 'indigo'; children: ReactNode }) {
  const cls = {
    slate: 'bg-slate-100 text-slate-700',
    green: 'bg-emerald-100 text-emerald-800',
    red: 'bg-red-100 text-red-800',
    amber: 'bg-amber-100 text-amber-900',
    indigo: 'bg-indigo-100 text-indigo-800',
  }[tone];
  return <span className={`inline-block whitespace-nowrap rounded px-2 py-0.5 text-xs font-medium ${cls}`}>{children}</span>;
}

/** An application's state: suspended by staff, or while its owner is deactivated (lib/db/queries/clients.ts). */
export function AppStatus({ suspended, byStaff = false }: { suspended: boolean; byStaff?: boolean }) {
  if (!suspended) return <Badge tone="green">Active</Badge>;
  return <Badge tone="red">{byStaff ? 'Suspended' : 'Suspended (owner inactive)'}</Badge>;
}

const SELF_REGISTERED: Partial<Record<string, string>> = { dynamic: 'Self-registered (RFC 7591)', metadata_document: 'Self-registered (metadata document)' };

/** The marker of a client that registered itself (no owner): by RFC 7591, or by its Client ID Metadata Document. */
export function SelfRegistered({ method }: { method: string }) {
  const label = SELF_REGISTERED[method];
  return label ? (
    <span data-testid="self-registered">
      <Badge tone="amber">{label}</Badge>
    </span>
  ) : null;
}
