'use client';
// The register and update form. The same zod schema validates here, before submit (errors at
// once, values untouched), and again in the server action (the check that counts).
import Link from 'next/link';
import { useActionState, useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, FieldError, TextAreaField, TextField } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import {
  ALGORITHMS,
  ALGORITHM_LABELS,
  CLIENT_TYPES,
  CLIENT_TYPE_LABELS,
  GRANT_CATALOGUE,
  formValues,
  parseApplicationValues,
  type ApplicationFormValues,
  type FieldErrors,
} from '@/lib/apps/schema';
import type { AppFormState } from '../_lib/state';
import { OneTimeSecret } from './one-time-secret';

type Action = (state: AppFormState, form: FormData) => Promise<AppFormState>;

const CLIENT_TYPE_HINTS: Record<string, string> = {
  confidential: 'A server-side app that can keep a secret.',
  public: 'A browser, mobile or desktop app: it cannot keep a secret, so it uses PKCE alone.',
};

const legendClass = 'mb-2 block text-sm font-medium text-slate-700';
const boxClass = 'mt-0.5 size-4 shrink-0 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 aria-[invalid=true]:border-red-500';

function describedBy(id: string, error: unknown, hint = false): string | undefined {
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

export function ApplicationForm({
  mode,
  action,
  initial,
  isStaff,
  ownerName,
  appId,
  secret,
}: {
  mode: 'register' | 'update';
  action: Action;
  initial: ApplicationFormValues;
  isStaff: boolean;
  /** Who owns it now (shown read-only to non-staff). */
  ownerName: string;
  appId?: number;
  /** Update only: what is stored now. */
  secret?: { hasSecret: boolean; hashed: boolean };
}) {
  const [state, formAction] = useActionState(action, {} as AppFormState);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const errors: FieldErrors = clientErrors ?? state.errors ?? {};
  const v = state.values ?? initial;

  // After the server answers with errors the form remounts (key={seq}); move focus to the first one.
  useEffect(() => {
    if (state.errors) focusFirstInvalid(formRef.current);
  }, [state.seq, state.errors]);

  if (state.saved) {
    const s = state.saved;
    return (
      <div className="space-y-6" data-testid="application-saved">
        <Alert kind="success" testId="saved-message">
          {mode === 'register' ? (
            <>
              Application <strong>{s.name}</strong> registered.
            </>
          ) : (
            <>
              Application <strong>{s.name}</strong> saved. It is confidential now and got a new client secret.
            </>
          )}
        </Alert>
        {s.clientSecret ? (
          <OneTimeSecret clientId={s.clientId} secret={s.clientSecret} hashed={s.secretHashed} />
        ) : (
          <p className="text-sm text-slate-700">
            Client id: <code className="font-mono">{s.clientId}</code> (public client: no secret).
          </p>
        )}
        <div className="flex flex-wrap gap-3">
          <Link
            href={`/o/applications/${s.id}/`}
            className="inline-flex rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700"
          >
            Open application
          </Link>
          <Link href="/o/applications/" className="inline-flex rounded-md px-4 py-2 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
            All applications
          </Link>
          {mode === 'register' ? (
            // A full page load: a fresh form with a fresh client id.
            <a href="/o/applications/register/" className="inline-flex rounded-md px-4 py-2 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
              Register another
            </a>
          ) : null}
        </div>
      </div>
    );
  }

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    const r = parseApplicationValues(formValues(new FormData(e.currentTarget)));
    if (!r.success) {
      e.preventDefault();
      setClientErrors(r.errors);
      const form = e.currentTarget;
      requestAnimationFrame(() => focusFirstInvalid(form));
    } else {
      setClientErrors(null);
    }
  }

  const err = (k: string) => errors[k];

  return (
    <form key={state.seq ?? 0} ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-6" noValidate>
      {state.message ? <Alert testId="form-error">{state.message}</Alert> : null}
      {errors._form ? <Alert testId="form-error">{errors._form.join(' ')}</Alert> : null}

      <TextField id="name" label="Name" required maxLength={255} defaultValue={v.name} error={err('name')} hint="Shown to users on the authorization page." />

      <div className="grid gap-6 md:grid-cols-2">
        <TextField
          id="clientId"
          name={mode === 'register' ? 'clientId' : ''}
          label="Client id"
          readOnly
          defaultValue={v.clientId ?? ''}
          className="block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-700"
          hint="Generated. Public: it goes into URLs."
        />
        {mode === 'register' ? (
          <div>
            <p className="mb-1 block text-sm font-medium text-slate-700">Client secret</p>
            <p className="rounded-md border border-dashed border-slate-300 bg-slate-50 px-3 py-2 text-sm text-slate-600">
              Generated when you register (128 characters) and shown once.
            </p>
          </div>
        ) : (
          <TextField
            id="clientSecret"
            label="Client secret"
            type="text"
            autoComplete="off"
            spellCheck={false}
            defaultValue={v.clientSecret ?? ''}
            error={err('clientSecret')}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 aria-[invalid=true]:border-red-500"
            placeholder={secret?.hasSecret ? 'Leave empty to keep the current secret' : 'Leave empty to generate one'}
            hint={
              secret?.hasSecret
                ? 'Empty keeps the current secret. Or paste a secret of your own (at least 32 characters), e.g. the one your client already uses.'
                : 'A confidential client gets a generated secret, shown once after saving.'
            }
          />
        )}
      </div>

      <fieldset aria-describedby={describedBy('clientType', err('clientType'))}>
        <legend className={legendClass}>Client type</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          {CLIENT_TYPES.map((t) => (
            <div key={t} className="flex gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-indigo-400 has-[:checked]:bg-indigo-50/50">
              <input
                type="radio"
                id={`clientType-${t}`}
                name="clientType"
                value={t}
                defaultChecked={v.clientType === t}
                aria-invalid={err('clientType') ? true : undefined}
                aria-describedby={`clientType-${t}-hint`}
                className="mt-0.5 size-4 shrink-0 border-slate-300 text-indigo-600 focus:ring-indigo-500"
              />
              <div>
                <label htmlFor={`clientType-${t}`} className="text-sm font-medium text-slate-900">
                  {CLIENT_TYPE_LABELS[t]}
                </label>
                <p id={`clientType-${t}-hint`} className="text-xs text-slate-500">
                  {CLIENT_TYPE_HINTS[t]}
                </p>
              </div>
            </div>
          ))}
        </div>
        <FieldError id="clientType" error={err('clientType')} />
      </fieldset>

      <fieldset aria-describedby={describedBy('grantTypes', err('grantTypes'))}>
        <legend className={legendClass}>Authorization grant type</legend>
        <div className="grid gap-x-6 gap-y-3 sm:grid-cols-2">
          {GRANT_CATALOGUE.map(({ type: g, key, label, hint, deprecated }) => {
            const id = `grantTypes-${key}`;
            return (
              <div key={g} className="flex gap-3">
                <input
                  type="checkbox"
                  id={id}
                  name="grantTypes"
                  value={g}
                  defaultChecked={v.grantTypes.includes(g)}
                  aria-invalid={err('grantTypes') ? true : undefined}
                  aria-describedby={`${id}-hint`}
                  className={boxClass}
                />
                <div>
                  <label htmlFor={id} className={`text-sm font-medium ${deprecated ? 'text-slate-600' : 'text-slate-900'}`}>
                    {label}
                  </label>
                  <p id={`${id}-hint`} className="text-xs text-slate-500">
                    {hint}
                  </p>
                </div>
              </div>
            );
          })}
        </div>
        <FieldError id="grantTypes" error={err('grantTypes')} />
      </fieldset>

      <TextAreaField
        id="redirectUris"
        label="Redirect uris"
        defaultValue={v.redirectUris}
        error={err('redirectUris')}
        spellCheck={false}
        placeholder="https://www.getpostman.com/oauth2/callback"
        hint="Space- or newline-separated. Exact match, so in canonical form (lower-case scheme and host, no default port, a path such as /). https, http only on 127.0.0.1, [::1] or localhost, or a private-use scheme such as com.example.app:/callback."
      />
      <TextAreaField
        id="postLogoutRedirectUris"
        label="Post logout redirect uris"
        defaultValue={v.postLogoutRedirectUris}
        error={err('postLogoutRedirectUris')}
        spellCheck={false}
        hint="Where RP-initiated logout may send the user back. Same rules as redirect uris."
      />
      <TextAreaField
        id="allowedOrigins"
        label="Allowed origins"
        defaultValue={v.allowedOrigins}
        error={err('allowedOrigins')}
        spellCheck={false}
        placeholder="https://app.example.com http://localhost:3000"
        hint="Browser apps that call the token endpoint (CORS): scheme://host[:port], no path. Saved as browsers send them: lower case, no default port, IDN as punycode. Redirect uris are not included automatically."
      />

      <div className="grid gap-6 md:grid-cols-2">
        <div>
          <label htmlFor="algorithm" className="mb-1 block text-sm font-medium text-slate-700">
            Algorithm
          </label>
          <select
            id="algorithm"
            name="algorithm"
            defaultValue={v.algorithm}
            aria-invalid={err('algorithm') ? true : undefined}
            aria-describedby={describedBy('algorithm', err('algorithm'), true)}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 aria-[invalid=true]:border-red-500"
          >
            {ALGORITHMS.map((a) => (
              <option key={a} value={a}>
                {ALGORITHM_LABELS[a]}
              </option>
            ))}
          </select>
          {err('algorithm') ? null : (
            <p id="algorithm-hint" className="mt-1 text-xs text-slate-500">
              How ID tokens are signed (OpenID Connect).
            </p>
          )}
          <FieldError id="algorithm" error={err('algorithm')} />
        </div>
        <TextField
          id="owner"
          name={isStaff ? 'owner' : ''}
          label="User"
          defaultValue={isStaff ? (v.owner ?? ownerName) : ownerName}
          readOnly={!isStaff}
          autoComplete="off"
          error={err('owner')}
          className={
            isStaff
              ? undefined
              : 'block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 text-slate-700'
          }
          hint={isStaff ? 'The owner’s username (staff may pick any user).' : 'The owner of the application: you.'}
        />
      </div>

      <div className="space-y-4">
        <CheckboxField
          id="hashClientSecret"
          label="Hash client secret"
          defaultChecked={v.hashClientSecret}
          error={err('hashClientSecret')}
          hint="Stores only an argon2id hash, so the secret cannot be read back. Uncheck only for HS256, which signs ID tokens with the secret itself."
        />
        <CheckboxField
          id="skipAuthorization"
          label="Skip authorization"
          defaultChecked={v.skipAuthorization}
          disabled={!isStaff}
          error={err('skipAuthorization')}
          hint={
            isStaff
              ? 'Issue codes without asking users for consent. Only for first-party applications you trust.'
              : 'Only staff can let an application skip the consent screen.'
          }
        />
      </div>

      <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-6">
        {mode === 'register' ? (
          <SubmitButton pendingText="Registering…">Register application</SubmitButton>
        ) : (
          <SubmitButton pendingText="Saving…">Save changes</SubmitButton>
        )}
        <Link
          href={appId ? `/o/applications/${appId}/` : '/o/applications/'}
          className="rounded-md px-4 py-2 text-sm font-semibold text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
        >
          Cancel
        </Link>
      </div>
    </form>
  );
}

function CheckboxField({
  id,
  label,
  hint,
  error,
  defaultChecked,
  disabled,
}: {
  id: string;
  label: string;
  hint: string;
  error?: string[];
  defaultChecked: boolean;
  disabled?: boolean;
}) {
  return (
    <div>
      <div className="flex gap-3">
        <input
          type="checkbox"
          id={id}
          name={id}
          defaultChecked={defaultChecked}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error ${id}-hint` : `${id}-hint`}
          className={`${boxClass} disabled:opacity-50`}
        />
        <div>
          <label htmlFor={id} className={`text-sm font-medium ${disabled ? 'text-slate-500' : 'text-slate-900'}`}>
            {label}
          </label>
          <p id={`${id}-hint`} className="text-xs text-slate-500">
            {hint}
          </p>
        </div>
      </div>
      <FieldError id={id} error={error} />
    </div>
  );
}

function focusFirstInvalid(form: HTMLFormElement | null) {
  const el = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  el?.focus();
}
