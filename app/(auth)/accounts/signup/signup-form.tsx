'use client';
import { useActionState, useRef } from 'react';
import { signupAction } from '../actions';
import { TextField, Alert } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import type { FormState } from '@/lib/auth/forms';
import { useFocusError } from '@/app/_components/use-focus-error';

/** The sign-up form. The password's rule is its hint until an error under the field states it (once). */
export function SignupForm({ next }: { next: string }) {
  const [state, action] = useActionState(signupAction, {} as FormState);
  const v = state.values ?? {};
  const form = useRef<HTMLFormElement>(null);
  useFocusError(form, state);
  return (
    <form ref={form} action={action} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={v.next ?? next} />
      {state.message ? <Alert testId="form-error">{state.message}</Alert> : null}
      <TextField id="username" label="Username" autoComplete="username" required defaultValue={v.username} error={state.errors?.username} />
      <TextField id="email" label="Email" type="email" autoComplete="email" required defaultValue={v.email} error={state.errors?.email} />
      <TextField id="password" label="Password" type="password" autoComplete="new-password" required error={state.errors?.password} hint={state.errors?.password ? undefined : 'At least 8 characters.'} />
      <TextField id="password2" label="Confirm password" type="password" autoComplete="new-password" required error={state.errors?.password2} />
      <SubmitButton className="w-full" pendingText="Creating account…">
        Create account
      </SubmitButton>
    </form>
  );
}
