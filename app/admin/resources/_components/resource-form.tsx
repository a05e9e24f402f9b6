'use client';
// The resource form (register and edit, /admin/resources/): identifier, name, the scopes as rows
// of name + sentence (three spare rows; an empty row is ignored, so it works without JavaScript:
// after saving, edit the resource to add more), token format and lifetime. Errors next to their
// field (a scope's next to its row); the action's answer remounts the form with the values sent.
import { useActionState, useEffect, useRef } from 'react';
import Link from 'next/link';
import { Alert, FieldError, TextField, buttonClass } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { MAX_LIFETIME, MIN_LIFETIME, TOKEN_FORMATS, TOKEN_FORMAT_LABELS, type ResourceFieldErrors } from '@/lib/resources/schema';

export interface ResourceFormValues {
  identifier: string;
  name: string;
  scopes: { name: string; description: string }[];
  accessTokenFormat: string;
  accessTokenLifetimeSeconds: string;
}

export interface ResourceFormState {
  seq?: number;
  errors?: ResourceFieldErrors;
  values?: ResourceFormValues;
}

const SPARE_ROWS = 3;
const inputClass =
  'block w-full rounded-md border border-slate-300 px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 aria-[invalid=true]:border-red-500';

/**
 * @param action the create or update server action (state, form) → state
 * @param initial the values to start from
 * @param builtIn the built-in resource: its identifier is shown read-only
 * @param submit the button's words ("Register resource", "Save changes")
 */
export function ResourceForm({
  action,
  initial,
  builtIn = false,
  submit,
  cancelHref,
}: {
  action: (state: ResourceFormState, form: FormData) => Promise<ResourceFormState>;
  initial: ResourceFormValues;
  builtIn?: boolean;
  submit: string;
  cancelHref: string;
}) {
  const [state, formAction] = useActionState(action, {});
  const v = state.values ?? initial;
  const e = state.errors ?? {};
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.errors) ref.current?.querySelector<HTMLElement>('[aria-invalid="true"], [role="alert"]')?.focus();
  }, [state.seq, state.errors]);
  const rows = [...v.scopes, ...Array.from({ length: SPARE_ROWS }, () => ({ name: '', description: '' }))];
  return (
    <form key={state.seq ?? 0} ref={ref} action={formAction} className="space-y-6" noValidate>
      {e._form ? <Alert testId="form-error">{e._form.join(' ')}</Alert> : null}
      <TextField
        id="identifier"
        label="Identifier"
        required
        maxLength={2000}
        defaultValue={v.identifier}
        readOnly={builtIn}
        spellCheck={false}
        error={e.identifier}
        hint={
          builtIn
            ? 'The built-in resource is the issuer’s /api; its identifier cannot change.'
            : 'The RFC 8707 resource value and the tokens’ aud: an absolute https URI (http only on localhost or 127.0.0.1), no fragment, no query.'
        }
      />
      <TextField id="name" label="Name" required maxLength={255} defaultValue={v.name} error={e.name} hint="Shown on the consent screen and in these pages." />

      <fieldset aria-describedby={e.scopes ? 'scopes-error scopes-hint' : 'scopes-hint'} data-testid="scopes">
        <legend className="mb-1 block text-sm font-medium text-slate-700">Scopes</legend>
        <p id="scopes-hint" className="mb-3 text-xs text-slate-500">
          Each scope’s name (no spaces, quotes or backslashes; not openid, profile or email) and the sentence the consent screen shows for it.
          Leave a row empty to ignore it. Need more rows? After you save, edit the resource: it shows three empty rows again.
          A scope name belongs to one resource only.
        </p>
        <div className="space-y-3">
          {rows.map((r, i) => {
            const nameErr = e[`scopes.${i}.name`];
            const descErr = e[`scopes.${i}.description`];
            return (
              <div key={i} className="grid gap-3 sm:grid-cols-[14rem_1fr]" data-testid="scope-row">
                <div>
                  <label htmlFor={`scopeName-${i}`} className="mb-1 block text-xs font-medium text-slate-600">
                    Scope {i + 1} name
                  </label>
                  <input
                    id={`scopeName-${i}`}
                    name="scopeName"
                    defaultValue={r.name}
                    maxLength={64}
                    spellCheck={false}
                    aria-invalid={nameErr ? true : undefined}
                    aria-describedby={nameErr ? `scopeName-${i}-error` : undefined}
                    className={`${inputClass} font-mono text-sm`}
                  />
                  <FieldError id={`scopeName-${i}`} error={nameErr} />
                </div>
                <div>
                  <label htmlFor={`scopeDescription-${i}`} className="mb-1 block text-xs font-medium text-slate-600">
                    Scope {i + 1} sentence
                  </label>
                  <input
                    id={`scopeDescription-${i}`}
                    name="scopeDescription"
                    defaultValue={r.description}
                    maxLength={200}
                    aria-invalid={descErr ? true : undefined}
                    aria-describedby={descErr ? `scopeDescription-${i}-error` : undefined}
                    className={inputClass}
                  />
                  <FieldError id={`scopeDescription-${i}`} error={descErr} />
                </div>
              </div>
            );
          })}
        </div>
        <FieldError id="scopes" error={e.scopes} />
      </fieldset>

      <div className="grid gap-6 md:grid-cols-2">
        <fieldset aria-describedby={e.accessTokenFormat ? 'accessTokenFormat-error' : undefined}>
          <legend className="mb-2 block text-sm font-medium text-slate-700">Access token format</legend>
          <div className="space-y-2">
            {TOKEN_FORMATS.map((f) => (
              <div key={f} className="flex items-center gap-2">
                <input
                  type="radio"
                  id={`accessTokenFormat-${f}`}
                  name="accessTokenFormat"
                  value={f}
                  defaultChecked={v.accessTokenFormat === f}
                  aria-invalid={e.accessTokenFormat ? true : undefined}
                  className="size-4 border-slate-300 text-indigo-600"
                />
                <label htmlFor={`accessTokenFormat-${f}`} className="text-sm text-slate-900">
                  {TOKEN_FORMAT_LABELS[f]}
                </label>
              </div>
            ))}
          </div>
          <FieldError id="accessTokenFormat" error={e.accessTokenFormat} />
        </fieldset>
        <TextField
          id="accessTokenLifetimeSeconds"
          label="Access token lifetime (seconds)"
          inputMode="numeric"
          defaultValue={v.accessTokenLifetimeSeconds}
          error={e.accessTokenLifetimeSeconds}
          hint={`Optional: ${MIN_LIFETIME} to ${MAX_LIFETIME}. Empty: the server’s ACCESS_TOKEN_EXPIRE_SECONDS.`}
        />
      </div>

      <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-6">
        <SubmitButton pendingText="Saving…">{submit}</SubmitButton>
        <Link href={cancelHref} className={buttonClass('secondary')}>
          Cancel
        </Link>
      </div>
    </form>
  );
}
