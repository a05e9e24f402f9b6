// The one confirmation pattern (lib/http/confirm-step.ts), drawn: ConfirmOpen is the button that
// opens the confirmation on the same page (a GET form: it works without JavaScript, and with it
// next/form navigates without reloading); ConfirmPanel is the confirmation in place of that button:
// the question naming the thing, what will happen, a button that says what it does, and Cancel.
// Used for every destructive action, by server pages (a server action) and client forms alike.
import Form from 'next/form';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { CONFIRM_PARAM } from '@/lib/http/confirm-step';
import { Alert, Button, buttonClass } from './ui';
import { SubmitButton } from './submit-button';
import { FocusOnMount } from './focus-on-mount';

/**
 * The button that opens a confirmation.
 * @param path the page's path (no query)
 * @param what which confirmation (`?confirm=<what>`)
 * @param params the target (an id) and the page's state (filters) to keep; empty values are dropped
 * @param label the accessible name when the visible text does not say what it acts on (rows of a list)
 */
export function ConfirmOpen({
  path,
  what,
  params = {},
  variant = 'secondary',
  label,
  disabled,
  title,
  children,
}: {
  path: string;
  what: string;
  params?: Record<string, string | undefined>;
  variant?: 'secondary' | 'danger';
  label?: string;
  disabled?: boolean;
  title?: string;
  children: ReactNode;
}) {
  return (
    <Form action={path} prefetch={false} scroll={false}>
      <input type="hidden" name={CONFIRM_PARAM} value={what} />
      {Object.entries(params).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
      <Button type="submit" variant={variant} aria-label={label} disabled={disabled} title={title}>
        {children}
      </Button>
    </Form>
  );
}

/**
 * The confirmation. Its heading takes the focus when it opens.
 * @param id a unique id on the page (the heading's, which names the region)
 * @param title the question, naming the thing ("Delete Postman?")
 * @param children what will happen (and what cannot be undone)
 * @param action the form's action: a server action, or a useActionState dispatcher
 * @param hidden the form's fields (the target's id; a list for several values of one name)
 * @param confirm the button's words, saying what it does ("Delete Postman")
 * @param cancelHref the page without the confirmation
 * @param error why it cannot be done (then there is no confirm button)
 */
export function ConfirmPanel({
  id,
  title,
  children,
  action,
  hidden = {},
  confirm,
  pendingText,
  cancelHref,
  tone = 'danger',
  level = 'h2',
  error,
}: {
  id: string;
  title: ReactNode;
  children?: ReactNode;
  action: string | ((form: FormData) => void | Promise<void>);
  hidden?: Record<string, string | string[]>;
  confirm: string;
  pendingText?: string;
  cancelHref: string;
  tone?: 'danger' | 'primary';
  level?: 'h2' | 'h3';
  error?: ReactNode;
}) {
  const box = tone === 'danger' ? 'border-red-200 bg-red-50' : 'border-indigo-200 bg-indigo-50';
  return (
    <section aria-labelledby={`${id}-title`} data-testid="confirm" className={`space-y-3 rounded-lg border p-4 ${box}`}>
      <FocusOnMount as={level} id={`${id}-title`} className="font-semibold text-slate-900 [overflow-wrap:anywhere]">
        {title}
      </FocusOnMount>
      {children ? <div className="space-y-2 text-sm text-slate-800 [overflow-wrap:anywhere]">{children}</div> : null}
      {error ? <Alert>{error}</Alert> : null}
      <form action={action} className="flex flex-wrap gap-3">
        {Object.entries(hidden).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one, i) => <input key={`${k}-${i}`} type="hidden" name={k} value={one} />))}
        {error ? null : (
          <SubmitButton variant={tone} pendingText={pendingText} className="[overflow-wrap:anywhere]">
            {confirm}
          </SubmitButton>
        )}
        <Link href={cancelHref} scroll={false} className={buttonClass('secondary')}>
          Cancel
        </Link>
      </form>
    </section>
  );
}
