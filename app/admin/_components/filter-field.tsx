// Small GET-form fields for the list filters (each with a visible label).
import { TextField } from '@/app/_components/ui';

/** A text filter is the shared TextField; `error` is why its value was refused (lib/admin/schema.ts), shown under it. */
export function FilterText(props: { id: string; label: string; defaultValue?: string; placeholder?: string; error?: string }) {
  return <TextField {...props} />;
}

/** The table's empty line when a filter was refused: nothing was looked up. */
export const FILTER_REFUSED = 'Correct the filter above to see the list.';

/** Under a filter whose value is well-formed but names no row (the list is then empty). */
export const FILTER_NAMES_NOTHING = {
  application: 'No application has this client ID or number.',
  user: 'No user has this username.',
} as const;

export function FilterSelect({ id, label, defaultValue, options }: { id: string; label: string; defaultValue?: string; options: Array<[string, string]> }) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">
        {label}
      </label>
      <select
        id={id}
        name={id}
        defaultValue={defaultValue ?? ''}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200"
      >
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}
