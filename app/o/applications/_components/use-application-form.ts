// The application form's state: the server action's answer, and the same zod schema run in the
// browser before submit (errors at once, values untouched). The action's check is the one that
// counts (actions.ts); this one only saves a round trip.
import { useActionState, useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { formValues, parseApplicationValues, type ApplicationFormValues, type FieldErrors } from '@/lib/apps/schema';
import type { AppFormState } from '../_lib/state';

/** A register or update server action, bound to useActionState. */
export type ApplicationAction = (state: AppFormState, form: FormData) => Promise<AppFormState>;

/** The saved application of a successful answer (with its one-time secret, if one was generated). */
export type SavedState = NonNullable<AppFormState['saved']>;

export interface ApplicationFormState {
  /** Pass to <form key>: each answer remounts the form, so its defaults show the values echoed back. */
  key: number;
  formRef: RefObject<HTMLFormElement | null>;
  formAction: (form: FormData) => void;
  /** Refuses the submit and shows the browser-side errors when the schema does. */
  onSubmit: (e: FormEvent<HTMLFormElement>) => void;
  /** The values to show: the last submitted ones after an answer, else the page's initial ones. */
  values: ApplicationFormValues;
  /** Errors by field name (`_form` for the whole form): the browser's check, else the server's. */
  errors: FieldErrors;
  /** A message about the whole answer (e.g. a conflict), from the server. */
  message?: string;
  /** Set once the server saved the application and there is something to show once. */
  saved?: SavedState;
}

/**
 * Binds an application server action to a form, with browser-side validation first.
 *
 * @param action the register or update server action
 * @param initial the values to start from
 */
export function useApplicationForm(action: ApplicationAction, initial: ApplicationFormValues): ApplicationFormState {
  const [state, formAction] = useActionState(action, {} as AppFormState);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  // After the server answers with errors the form remounts (key={seq}); move focus to the first one.
  useEffect(() => {
    if (state.errors) focusFirstInvalid(formRef.current);
  }, [state.seq, state.errors]);

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

  return {
    key: state.seq ?? 0,
    formRef,
    formAction,
    onSubmit,
    values: state.values ?? initial,
    errors: clientErrors ?? state.errors ?? {},
    message: state.message,
    saved: state.saved,
  };
}

function focusFirstInvalid(form: HTMLFormElement | null) {
  const el = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  el?.focus();
}
