// The permissions an application asks for, in words, where the user cannot uncheck them (the
// device approval page): one entry per resource (its name and host) and one for OpenID Connect's,
// each scope with its sentence. The consent screen shows the same groups as checkboxes
// (app/o/authorize/consent/scope-choice.tsx); both come from consentGroups (lib/oauth/resources.ts).
import type { ConsentGroup } from '@/lib/oauth/resources';

export function ScopeList({ groups }: { groups: ConsentGroup[] }) {
  return (
    <ul className="mt-2 space-y-3" aria-label="Requested permissions" data-testid="scope-groups">
      {groups.map((g) => (
        <li key={g.identifier ?? g.title} className="rounded-md border border-slate-200 px-3 py-2" data-testid="scope-group">
          <h2 className="break-words text-sm font-medium text-slate-800">
            {g.title}
            {g.host ? <span className="font-normal text-slate-500"> ({g.host})</span> : null}
          </h2>
          <ul className="mt-1 space-y-2">
            {g.scopes.map((s) => (
              <li key={s.name} className="flex items-start gap-3">
                <span className="mt-1.5 size-2 shrink-0 rounded-full bg-indigo-500" aria-hidden />
                <span className="min-w-0">
                  <span className="block break-words text-slate-900">{s.description}</span>
                  <code className="break-all text-xs text-slate-500">{s.name}</code>
                </span>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
