// The permissions an application asks for, in words, on the consent pages (authorize and device).
import { describeScope } from '@/lib/oauth/scope';

export function ScopeList({ scopes }: { scopes: string[] }) {
  return (
    <ul className="mt-2 space-y-2" aria-label="Requested permissions">
      {scopes.map((s) => (
        <li key={s} className="flex items-start gap-3 rounded-md border border-slate-200 px-3 py-2">
          <span className="mt-0.5 size-2 shrink-0 rounded-full bg-indigo-500" aria-hidden />
          <span>
            <span className="block text-slate-900">{describeScope(s)}</span>
            <code className="text-xs text-slate-500">{s}</code>
          </span>
        </li>
      ))}
    </ul>
  );
}
