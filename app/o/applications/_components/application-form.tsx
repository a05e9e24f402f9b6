'use client';
// The register and update forms: each binds its server action (useApplicationForm: the same zod
// schema checks before submit and again in the action), lays out the shared fields with its own
// client secret cell and submit button, and turns into the saved outcome when there is a secret to
// show once. Who may change what is the page's `audience` (../_lib/audience.ts), computed once.
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Alert, Card, PageTitle } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import type { ApplicationFormValues } from '@/lib/apps/schema';
import type { FormAudience } from '../_lib/audience';
import { ApplicationFields, type ScopeCatalogue } from './application-fields';
import { ClientSecretField, GeneratedSecretNote } from './client-secret-field';
import { SavedApplication } from './saved-application';
import { useApplicationForm, type ApplicationAction, type ApplicationFormState } from './use-application-form';

interface FormProps {
  action: ApplicationAction;
  /** The values to start from; `owner` is the current owner's username. */
  initial: ApplicationFormValues;
  audience: FormAudience;
  /** The resources whose scopes "Allowed scopes" offers. */
  resources: ScopeCatalogue;
}

/**
 * The page's heading and card: the form's own heading, or its outcome's once saved (the heading
 * then takes the focus, since the form that had it is gone).
 */
function Titled({ title, savedTitle, sub, saved, children }: { title: ReactNode; savedTitle: string; sub?: string; saved: boolean; children: ReactNode }) {
  return (
    <>
      <PageTitle sub={saved ? undefined : sub} focus={saved}>
        {saved ? savedTitle : title}
      </PageTitle>
      <Card>{children}</Card>
    </>
  );
}

/** /o/applications/register/: a new application, its generated client id submitted with it. */
export function RegisterApplicationForm({ action, initial, audience, resources }: FormProps) {
  const form = useApplicationForm(action, initial);
  return (
    <Titled title="Register a new application" savedTitle="Application registered" sub="Client id and client secret are generated; provide the rest." saved={!!form.saved}>
      {form.saved ? (
        <SavedApplication saved={form.saved} registerAnother>
          Application <strong>{form.saved.name}</strong> registered.
        </SavedApplication>
      ) : (
        <FormFrame form={form} submit={<SubmitButton pendingText="Registering…">Register application</SubmitButton>} cancelHref="/o/applications/">
          <ApplicationFields
            values={form.values}
            ownerName={initial.owner ?? ''}
            errors={form.errors}
            audience={audience}
            resources={resources}
            submitClientId
            secretField={<GeneratedSecretNote />}
          />
        </FormFrame>
      )}
    </Titled>
  );
}

/**
 * /o/applications/<id>/update/: saving goes back to the application's page ("Saved <name>"),
 * except when the application became confidential and got a generated secret, which is shown here once.
 *
 * @param appId the application's id (Cancel goes back to its page)
 * @param hasSecret whether a client secret is stored now
 */
export function UpdateApplicationForm({ action, initial, audience, resources, appId, hasSecret }: FormProps & { appId: number; hasSecret: boolean }) {
  const form = useApplicationForm(action, initial);
  return (
    <Titled title={`Edit ${initial.name}`} savedTitle="Application saved" saved={!!form.saved}>
      {form.saved ? (
        <SavedApplication saved={form.saved}>
          Application <strong>{form.saved.name}</strong> saved. It is confidential now and got a new client secret.
        </SavedApplication>
      ) : (
        <FormFrame form={form} submit={<SubmitButton pendingText="Saving…">Save changes</SubmitButton>} cancelHref={`/o/applications/${appId}/`}>
          <ApplicationFields
            values={form.values}
            ownerName={initial.owner ?? ''}
            errors={form.errors}
            audience={audience}
            resources={resources}
            submitClientId={false}
            secretField={<ClientSecretField value={form.values.clientSecret ?? ''} error={form.errors.clientSecret} hasSecret={hasSecret} />}
          />
        </FormFrame>
      )}
    </Titled>
  );
}

/** The <form> element: messages about the whole answer on top, then the fields, then submit and Cancel. */
function FormFrame({ form, submit, cancelHref, children }: { form: ApplicationFormState; submit: ReactNode; cancelHref: string; children: ReactNode }) {
  return (
    <form key={form.key} ref={form.formRef} action={form.formAction} onSubmit={form.onSubmit} className="space-y-6" noValidate>
      {form.message ? <Alert testId="form-error">{form.message}</Alert> : null}
      {form.errors._form ? <Alert testId="form-error">{form.errors._form.join(' ')}</Alert> : null}

      {children}

      <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-6">
        {submit}
        <Link href={cancelHref} className="rounded-md px-4 py-2 text-sm font-semibold text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
          Cancel
        </Link>
      </div>
    </form>
  );
}
