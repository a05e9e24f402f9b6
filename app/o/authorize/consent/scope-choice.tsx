// The consent screen's scopes as checkboxes, one fieldset per resource (its name and host) and one
// for OpenID Connect's, each scope with its sentence. Optional scopes can be unchecked; required
// ones (openid) are shown checked and disabled, with the reason.
import type { ConsentGroup } from '@/lib/oauth/resources';

export function ScopeChoice({ groups }: { groups: ConsentGroup[] }) {
  return (
    <div className="mt-2 space-y-4" data-testid="scope-groups">
      <input type="hidden" name="choosing" value="1" />
      {groups.map((g, i) => (
        <fieldset key={g.identifier ?? g.title} className="rounded-md border border-slate-200 px-3 py-2" data-testid="scope-group">
          <legend className="break-words px-1 text-sm font-medium text-slate-800">
            {g.title}
            {g.host ? (
              <>
                {' '}
                <span className="font-normal text-slate-500">({g.host})</span>
              </>
            ) : null}
          </legend>
          <ul className="space-y-2">
            {g.scopes.map((s) => {
              const id = `scope-${i}-${s.name}`;
              return (
                <li key={s.name} className="flex items-start gap-3">
                  <input
                    id={id}
                    type="checkbox"
                    name="scope"
                    value={s.name}
                    defaultChecked
                    disabled={s.required}
                    aria-describedby={s.required ? `${id}-required` : undefined}
                    className="mt-1 size-4 shrink-0 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"
                  />
                  <label htmlFor={id} className="min-w-0">
                    <span className="block break-words text-slate-900">{s.description}</span>
                    <code className="break-all text-xs text-slate-500">{s.name}</code>
                    {s.required ? (
                      <span id={`${id}-required`} className="block text-xs text-slate-500">
                        Required: this is how the application signs you in.
                      </span>
                    ) : null}
                  </label>
                </li>
              );
            })}
          </ul>
        </fieldset>
      ))}
    </div>
  );
}
