'use client';
import Link from 'next/link';
import { useActionState, useEffect, useState } from 'react';
import { setupAction } from './actions';
import { Alert, TextField } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import type { FormState } from '@/lib/auth/forms';

/**
 * The first admin's form. The URL the server printed carries the token in its fragment
 * (`/setup/#BCDFG-…`), which no server ever sees: it fills the token field from there, then takes
 * it out of the address bar (and so out of the history a later visitor could read).
 */
export function SetupForm() {
  const [state, action] = useActionState(setupAction, {} as FormState & { gone?: boolean });
  const v = state.values ?? {};
  const [token, setToken] = useState(v.token ?? '');
  useEffect(() => {
    // On load, and when the printed URL is opened over this very page (only the fragment changes).
    const fromUrl = () => {
      let t = window.location.hash.slice(1);
      try {
        t = decodeURIComponent(t).trim();
      } catch {
        // not percent-encoded: as it is
      }
      if (!t) return;
      setToken(t);
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
    };
    fromUrl();
    window.addEventListener('hashchange', fromUrl);
    return () => window.removeEventListener('hashchange', fromUrl);
  }, []);
  useEffect(() => {
    if (v.token !== undefined) setToken(v.token);
  }, [v.token]);
  if (state.gone) {
    return (
      <Alert kind="info" testId="setup-gone">
        {state.message}{' '}
        <Link className="font-medium underline" href="/accounts/login/?next=/admin/">
          Log in
        </Link>
      </Alert>
    );
  }
  return (
    <form action={action} className="space-y-4" noValidate>
      {state.message ? <Alert testId="form-error">{state.message}</Alert> : null}
      <TextField
        id="token"
        label="Setup token"
        autoComplete="off"
        spellCheck={false}
        required
        value={token}
        onChange={(e) => setToken(e.target.value)}
        error={state.errors?.token}
        hint="Printed in the server’s console at its start (the setup.token line): 30 letters in groups of five."
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 aria-[invalid=true]:border-red-500"
      />
      <TextField id="username" label="Username" autoComplete="username" required defaultValue={v.username} error={state.errors?.username} hint="Letters, digits and @ . + - _ only." />
      <TextField id="email" label="Email" type="email" autoComplete="email" required defaultValue={v.email} error={state.errors?.email} />
      <TextField id="password" label="Password" type="password" autoComplete="new-password" required error={state.errors?.password} hint="At least 8 characters." />
      <TextField id="password2" label="Confirm password" type="password" autoComplete="new-password" required error={state.errors?.password2} />
      <SubmitButton className="w-full" pendingText="Creating the admin…">
        Create the admin account
      </SubmitButton>
    </form>
  );
}
