'use client';
import { useActionState, useRef } from 'react';
import { loginAction } from '../actions';
import { TextField, Alert } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import type { FormState } from '@/lib/auth/forms';
import { useFocusError } from '@/app/_components/use-focus-error';

/** The login form; `username` pre-fills the field (an authorization request's login_hint). */
export function LoginForm({ next, username }: { next: string; username?: string }) {
  const [state, action] = useActionState(loginAction, {} as FormState);
  const form = useRef<HTMLFormElement>(null);
  useFocusError(form, state);
  return (
    <form ref={form} action={action} className="space-y-4" noValidate>
      {/* The tutorial's hidden `next` input: where to go after logging in. */}
      <input type="hidden" name="next" value={state.values?.next ?? next} />
      {state.message ? <Alert testId="form-error">{state.message}</Alert> : null}
      <TextField id="username" label="Username" autoComplete="username" required autoFocus defaultValue={state.values?.username ?? username} error={state.errors?.username} />
      <TextField id="password" label="Password" type="password" autoComplete="current-password" required error={state.errors?.password} />
      <SubmitButton className="w-full" pendingText="Logging in…">
        Log in
      </SubmitButton>
    </form>
  );
}
