// The application form's fields, in the tutorial's order. Each has a visible label, its rule as a
// hint, and its error right under it (`<field>-error`, named by aria-describedby). What a field is
// called and says comes from ../_lib/fields.ts; which fields the viewer may change, from the
// audience (../_lib/audience.ts); grant types from the grant catalogue.
import type { ReactNode } from 'react';
import { FieldError, TextAreaField, TextField } from '@/app/_components/ui';
import {
  ALGORITHMS,
  ALGORITHM_LABELS,
  CLIENT_TYPES,
  CLIENT_TYPE_LABELS,
  GRANT_CATALOGUE,
  SCOPE_POLICIES,
  SCOPE_POLICY_LABELS,
  type ApplicationFormValues,
  type FieldErrors,
} from '@/lib/apps/schema';
import type { FormAudience, GovernedField } from '../_lib/audience';
import { CLIENT_TYPE_HINTS, FIELDS } from '../_lib/fields';

/** The resources' scopes the form offers (from lib/oauth/resources.ts, read by the page). */
export type ScopeCatalogue = { identifier: string; name: string; scopes: { name: string; description: string }[] }[];

const legendClass = 'mb-2 block text-sm font-medium text-slate-700';
const boxClass = 'mt-0.5 size-4 shrink-0 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 aria-[invalid=true]:border-red-500';
const readOnlyClass = 'block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2';

/** A group or select names its error when there is one, else its hint (if it has one). */
function describedBy(id: string, error: unknown, hint = false): string | undefined {
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

const invalid = (error: unknown) => (error ? true : undefined);

/**
 * Every field of the register and update forms.
 *
 * @param values what the fields show (the last submitted values after an answer)
 * @param ownerName who owns the application now, shown when the viewer may not change it
 * @param errors errors by field name
 * @param audience which fields the viewer may change
 * @param submitClientId whether the client id is sent (register: the generated one is kept)
 * @param secretField the client secret's cell (generated note, or the update form's input)
 * @param resources the resources whose scopes "Allowed scopes" offers
 */
export function ApplicationFields({
  values: v,
  ownerName,
  errors,
  audience,
  submitClientId,
  secretField,
  resources,
}: {
  values: ApplicationFormValues;
  ownerName: string;
  errors: FieldErrors;
  audience: FormAudience;
  submitClientId: boolean;
  secretField: ReactNode;
  resources: ScopeCatalogue;
}) {
  return (
    <>
      <TextField id="name" label={FIELDS.name.label} required maxLength={255} defaultValue={v.name} error={errors.name} hint={FIELDS.name.hint} />

      <div className="grid gap-6 md:grid-cols-2">
        <TextField
          id="clientId"
          name={submitClientId ? 'clientId' : ''}
          label={FIELDS.clientId.label}
          readOnly
          defaultValue={v.clientId ?? ''}
          className={`${readOnlyClass} font-mono text-sm text-slate-700`}
          hint={FIELDS.clientId.hint}
        />
        {secretField}
      </div>

      <ClientTypeField value={v.clientType} error={errors.clientType} />
      <GrantTypesField value={v.grantTypes} error={errors.grantTypes} />

      <AllowedScopesField value={v.allowedScopes ?? null} resources={resources} error={errors.allowedScopes} />
      <ScopePolicyField value={v.scopePolicy ?? 'refuse'} error={errors.scopePolicy} />

      {(['redirectUris', 'postLogoutRedirectUris', 'allowedOrigins'] as const).map((id) => (
        <TextAreaField key={id} id={id} {...FIELDS[id]} defaultValue={v[id]} error={errors[id]} spellCheck={false} />
      ))}

      <div className="grid gap-6 md:grid-cols-2">
        <AlgorithmField value={v.algorithm} error={errors.algorithm} />
        <OwnerField value={v.owner ?? ownerName} ownerName={ownerName} error={errors.owner} governed={audience.owner} />
      </div>

      <div className="space-y-4">
        <CheckboxField id="hashClientSecret" hint={FIELDS.hashClientSecret.hint} defaultChecked={v.hashClientSecret} error={errors.hashClientSecret} />
        <CheckboxField
          id="skipAuthorization"
          hint={audience.skipAuthorization.hint}
          defaultChecked={v.skipAuthorization}
          disabled={!audience.skipAuthorization.editable}
          error={errors.skipAuthorization}
        />
      </div>
    </>
  );
}

function ClientTypeField({ value, error }: { value: string; error?: string[] }) {
  return (
    <fieldset aria-describedby={describedBy('clientType', error)}>
      <legend className={legendClass}>{FIELDS.clientType.label}</legend>
      <div className="grid gap-3 sm:grid-cols-2">
        {CLIENT_TYPES.map((t) => (
          <div key={t} className="flex gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-indigo-400 has-[:checked]:bg-indigo-50/50">
            <input
              type="radio"
              id={`clientType-${t}`}
              name="clientType"
              value={t}
              defaultChecked={value === t}
              aria-invalid={invalid(error)}
              aria-describedby={`clientType-${t}-hint`}
              className="mt-0.5 size-4 shrink-0 border-slate-300 text-indigo-600 focus:ring-indigo-500"
            />
            <ChoiceText htmlFor={`clientType-${t}`} label={CLIENT_TYPE_LABELS[t]} hint={CLIENT_TYPE_HINTS[t]} />
          </div>
        ))}
      </div>
      <FieldError id="clientType" error={error} />
    </fieldset>
  );
}

/** One checkbox per grant of the catalogue, in its order, with its label and hint. */
function GrantTypesField({ value, error }: { value: string[]; error?: string[] }) {
  return (
    <fieldset aria-describedby={describedBy('grantTypes', error)}>
      <legend className={legendClass}>{FIELDS.grantTypes.label}</legend>
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
                defaultChecked={value.includes(g)}
                aria-invalid={invalid(error)}
                aria-describedby={`${id}-hint`}
                className={boxClass}
              />
              <ChoiceText htmlFor={id} label={label} hint={hint} tone={deprecated ? 'text-slate-600' : undefined} />
            </div>
          );
        })}
      </div>
      <FieldError id="grantTypes" error={error} />
    </fieldset>
  );
}

/**
 * "Allowed scopes": every scope, including those resources define later (stored as null), or only
 * the checked ones, grouped by resource with the sentence the consent screen shows. Without
 * JavaScript both parts are there; the checkboxes count only with "Only the scopes checked below".
 * Under "All" no box starts ticked: choosing "Only…" then means exactly the boxes one ticks (a
 * form that started all ticked would allow everything again without a visible change).
 */
function AllowedScopesField({ value, resources, error }: { value: string[] | null; resources: ScopeCatalogue; error?: string[] }) {
  const mode = value === null ? 'all' : 'some';
  return (
    <fieldset aria-describedby={error ? 'allowedScopes-error allowedScopes-hint' : 'allowedScopes-hint'} data-testid="allowed-scopes">
      <legend className={legendClass}>{FIELDS.allowedScopes.label}</legend>
      <p id="allowedScopes-hint" className="-mt-1 mb-3 text-xs text-slate-500">
        {FIELDS.allowedScopes.hint}
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        {(
          [
            ['all', 'All scopes, including future ones', 'Every scope of every resource, also scopes added later.'],
            ['some', 'Only the scopes checked below', 'A scope added to a resource later is not allowed until you check it here.'],
          ] as const
        ).map(([m, label, hint]) => (
          <div key={m} className="flex gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-indigo-400 has-[:checked]:bg-indigo-50/50">
            <input
              type="radio"
              id={`allowedScopesMode-${m}`}
              name="allowedScopesMode"
              value={m}
              defaultChecked={mode === m}
              aria-describedby={`allowedScopesMode-${m}-hint`}
              className="mt-0.5 size-4 shrink-0 border-slate-300 text-indigo-600 focus:ring-indigo-500"
            />
            <ChoiceText htmlFor={`allowedScopesMode-${m}`} label={label} hint={hint} />
          </div>
        ))}
      </div>
      <div className="mt-4 space-y-4">
        {resources.length > 0 ? <p className="text-xs text-slate-500">With “Only the scopes checked below”, tick each scope to allow; with “All”, the boxes are ignored.</p> : null}
        {resources.length === 0 ? <p className="text-sm text-slate-500">No resource defines scopes yet.</p> : null}
        {resources.map((r, ri) => (
          <fieldset key={r.identifier} className="rounded-lg border border-slate-200 p-3">
            <legend className="px-1 text-sm font-semibold text-slate-800">
              {r.name} <span className="break-all font-mono text-xs font-normal text-slate-500">{r.identifier}</span>
            </legend>
            {r.scopes.length === 0 ? <p className="text-xs text-slate-500">This resource defines no scopes.</p> : null}
            <div className="grid gap-x-6 gap-y-2 sm:grid-cols-2">
              {r.scopes.map((sc, si) => {
                const id = `allowedScopes-${ri}-${si}`;
                return (
                  <div key={sc.name} className="flex gap-3">
                    <input
                      type="checkbox"
                      id={id}
                      name="allowedScopes"
                      value={sc.name}
                      defaultChecked={value !== null && value.includes(sc.name)}
                      aria-invalid={invalid(error)}
                      aria-describedby={`${id}-hint`}
                      className={boxClass}
                    />
                    <ChoiceText htmlFor={id} label={sc.name} hint={sc.description} />
                  </div>
                );
              })}
            </div>
          </fieldset>
        ))}
      </div>
      <FieldError id="allowedScopes" error={error} />
    </fieldset>
  );
}

/** What a request for a scope outside the allowed ones gets (refuse or narrow). */
function ScopePolicyField({ value, error }: { value: string; error?: string[] }) {
  return (
    <fieldset aria-describedby={describedBy('scopePolicy', error, true)}>
      <legend className={legendClass}>{FIELDS.scopePolicy.label}</legend>
      <p id="scopePolicy-hint" className="-mt-1 mb-3 text-xs text-slate-500">
        {FIELDS.scopePolicy.hint}
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        {SCOPE_POLICIES.map((p) => (
          <div key={p} className="flex gap-3">
            <input
              type="radio"
              id={`scopePolicy-${p}`}
              name="scopePolicy"
              value={p}
              defaultChecked={value === p}
              aria-invalid={invalid(error)}
              className="mt-0.5 size-4 shrink-0 border-slate-300 text-indigo-600 focus:ring-indigo-500"
            />
            <label htmlFor={`scopePolicy-${p}`} className="text-sm font-medium text-slate-900">
              {SCOPE_POLICY_LABELS[p]}
            </label>
          </div>
        ))}
      </div>
      <FieldError id="scopePolicy" error={error} />
    </fieldset>
  );
}

/** The ID token's signing algorithm; its hint gives way to the error. */
function AlgorithmField({ value, error }: { value: string; error?: string[] }) {
  return (
    <div>
      <label htmlFor="algorithm" className="mb-1 block text-sm font-medium text-slate-700">
        {FIELDS.algorithm.label}
      </label>
      <select
        id="algorithm"
        name="algorithm"
        defaultValue={value}
        aria-invalid={invalid(error)}
        aria-describedby={describedBy('algorithm', error, true)}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 aria-[invalid=true]:border-red-500"
      >
        {ALGORITHMS.map((a) => (
          <option key={a} value={a}>
            {ALGORITHM_LABELS[a]}
          </option>
        ))}
      </select>
      {error ? null : (
        <p id="algorithm-hint" className="mt-1 text-xs text-slate-500">
          {FIELDS.algorithm.hint}
        </p>
      )}
      <FieldError id="algorithm" error={error} />
    </div>
  );
}

/**
 * "User": a username input for those who may give the application to anyone; for the others the
 * current owner, read-only and not submitted (the service would ignore it).
 */
function OwnerField({ value, ownerName, error, governed }: { value: string; ownerName: string; error?: string[]; governed: GovernedField }) {
  const common = { id: 'owner', label: FIELDS.owner.label, autoComplete: 'off', error, hint: governed.hint };
  return governed.editable ? (
    <TextField {...common} name="owner" defaultValue={value} />
  ) : (
    <TextField {...common} name="" defaultValue={ownerName} readOnly className={`${readOnlyClass} text-slate-700`} />
  );
}

/**
 * The label and hint beside a radio button or checkbox (the hint is `<htmlFor>-hint`, which the
 * input's aria-describedby names). `tone` greys out a deprecated or disabled choice.
 */
function ChoiceText({ htmlFor, label, hint, tone = 'text-slate-900' }: { htmlFor: string; label: string; hint: string; tone?: string }) {
  return (
    <div>
      <label htmlFor={htmlFor} className={`text-sm font-medium ${tone}`}>
        {label}
      </label>
      <p id={`${htmlFor}-hint`} className="text-xs text-slate-500">
        {hint}
      </p>
    </div>
  );
}

/** A checkbox named `id`, labelled from FIELDS, with its hint and its error under it. */
function CheckboxField({
  id,
  hint,
  error,
  defaultChecked,
  disabled,
}: {
  id: 'hashClientSecret' | 'skipAuthorization';
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
          aria-invalid={invalid(error)}
          aria-describedby={error ? `${id}-error ${id}-hint` : `${id}-hint`}
          className={`${boxClass} disabled:opacity-50`}
        />
        <ChoiceText htmlFor={id} label={FIELDS[id].label} hint={hint} tone={disabled ? 'text-slate-500' : undefined} />
      </div>
      <FieldError id={id} error={error} />
    </div>
  );
}
