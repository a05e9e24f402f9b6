'use client';
import { useActionState } from 'react';
import { changePasswordAction } from './actions';
import { Alert, TextField } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import type { FormState } from '@/lib/auth/forms';

export function PasswordForm() {
  const [state, action] = useActionState(changePasswordAction, {} as FormState);
  return (
    <form action={action} className="space-y-4" noValidate>
      {state.done ? (
        <Alert kind="success" testId="password-changed">
          {state.done}
        </Alert>
      ) : null}
      <TextField id="current_password" label="Current password" type="password" autoComplete="current-password" required error={state.errors?.current_password} />
      <TextField id="new_password" label="New password" type="password" autoComplete="new-password" required error={state.errors?.new_password} hint="At least 8 characters." />
      <TextField id="new_password2" label="Confirm new password" type="password" autoComplete="new-password" required error={state.errors?.new_password2} />
      <SubmitButton pendingText="Changing password…">Change password</SubmitButton>
    </form>
  );
}
