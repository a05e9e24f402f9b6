'use client';
// The user-code form. Errors come back from the action and sit under the field.
import { useActionState } from 'react';
import { TextField } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { enterCodeAction } from './actions';
import type { CodeFormState } from './state';

export function CodeForm({ initialCode }: { initialCode?: string }) {
  const [state, action] = useActionState(enterCodeAction, { value: initialCode } as CodeFormState);
  return (
    <form action={action} className="space-y-4">
      <TextField
        id="user_code"
        label="Code"
        defaultValue={state.value ?? ''}
        key={state.value ?? ''}
        error={state.error}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        placeholder="XXXX-XXXX"
        maxLength={64}
        required
        autoFocus
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-lg uppercase tracking-widest text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 aria-[invalid=true]:border-red-500"
        hint="The code your device shows, e.g. BCDF-GHJK."
      />
      <SubmitButton pendingText="Checking…">Continue</SubmitButton>
    </form>
  );
}
