// The "Client secret" cell of the form. Registering generates the secret (there is nothing to
// type); editing lets the owner keep it, have one generated, or paste one of their own.
import { TextField } from '@/app/_components/ui';
import { FIELDS } from '../_lib/fields';

/** Register: the secret is generated on save and shown once, so there is no input. */
export function GeneratedSecretNote() {
  return (
    <div>
      <p className="mb-1 block text-sm font-medium text-slate-700">{FIELDS.clientSecret.label}</p>
      <p className="rounded-md border border-dashed border-slate-300 bg-slate-50 px-3 py-2 text-sm text-slate-600">
        Generated when you register (128 characters) and shown once.
      </p>
    </div>
  );
}

/**
 * Update: empty keeps the stored secret (or, when none is stored, has a confidential client get a
 * generated one); a typed one replaces it (the schema's `clientSecret` rules).
 *
 * @param hasSecret whether a secret is stored now
 */
export function ClientSecretField({ value, error, hasSecret }: { value: string; error?: string[]; hasSecret: boolean }) {
  return (
    <TextField
      id="clientSecret"
      label={FIELDS.clientSecret.label}
      type="text"
      autoComplete="off"
      spellCheck={false}
      defaultValue={value}
      error={error}
      className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 aria-[invalid=true]:border-red-500"
      placeholder={hasSecret ? 'Leave empty to keep the current secret' : 'Leave empty to generate one'}
      hint={
        hasSecret
          ? 'Empty keeps the current secret. Or paste a secret of your own (at least 32 characters), e.g. the one your client already uses.'
          : 'A confidential client gets a generated secret, shown once after saving.'
      }
    />
  );
}
