// Small shared UI pieces. Every input has a visible <label htmlFor>; errors sit under their field.
import type { ReactNode, InputHTMLAttributes, TextareaHTMLAttributes, ButtonHTMLAttributes } from 'react';
import { FocusOnMount } from './focus-on-mount';

/**
 * A white panel with an optional title. `titleAs="h1"` when the card is the page's only content
 * (login, sign-up, …): every page has exactly one h1, and it names the page.
 */
export function Card({ title, titleAs: Heading = 'h2', children, className = '' }: { title?: ReactNode; titleAs?: 'h1' | 'h2'; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-xl border border-slate-200 bg-white p-6 shadow-sm ${className}`}>
      {title ? <Heading className={`mb-4 font-semibold text-slate-900 ${Heading === 'h1' ? 'text-xl' : 'text-lg'}`}>{title}</Heading> : null}
      {children}
    </section>
  );
}

/**
 * The page's one h1, with an optional line under it. `focus`: the heading takes the focus when it
 * appears (a form that turned into its outcome, so focus does not fall back to the top of the page).
 */
export function PageTitle({ children, sub, focus = false }: { children: ReactNode; sub?: ReactNode; focus?: boolean }) {
  const cls = 'text-2xl font-bold tracking-tight text-slate-900';
  return (
    <div className="mb-6">
      {focus ? (
        <FocusOnMount as="h1" id="page-title" className={cls}>
          {children}
        </FocusOnMount>
      ) : (
        <h1 className={cls}>{children}</h1>
      )}
      {sub ? <p className="mt-1 text-slate-600">{sub}</p> : null}
    </div>
  );
}

/**
 * What is wrong with a field, under it (`${id}-error`, which the field's aria-describedby names).
 * Several messages (one per bad redirect URI, say) are one line each: run together into one
 * paragraph, a newcomer could not tell where one ended and which value to fix.
 */
export function FieldError({ id, error }: { id: string; error?: string | string[] }) {
  const msgs = (Array.isArray(error) ? error : [error]).filter((m): m is string => Boolean(m));
  if (msgs.length === 0) return null;
  const props = { id: `${id}-error`, 'data-testid': `${id}-error`, className: 'mt-1 text-sm text-red-700' };
  if (msgs.length === 1) return <p {...props}>{msgs[0]}</p>;
  return (
    <ul {...props} className={`${props.className} list-disc space-y-1 pl-5`}>
      {msgs.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  );
}

/** The ids that describe a field: its hint (the rule) and its error (what is wrong), both read out. */
const describedBy = (id: string, hint?: ReactNode, error?: string | string[]) =>
  [hint ? `${id}-hint` : '', error && error.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 aria-[invalid=true]:border-red-500';

export function TextField({
  id,
  label,
  error,
  hint,
  ...props
}: { id: string; label: string; error?: string | string[]; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        name={props.name ?? id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        className={inputClass}
        {...props}
      />
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={id} error={error} />
    </div>
  );
}

export function TextAreaField({
  id,
  label,
  error,
  hint,
  ...props
}: { id: string; label: string; error?: string | string[]; hint?: ReactNode } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">
        {label}
      </label>
      <textarea
        id={id}
        name={props.name ?? id}
        rows={3}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        className={`${inputClass} font-mono text-sm`}
        {...props}
      />
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={id} error={error} />
    </div>
  );
}

const variants = {
  primary: 'bg-indigo-600 text-white hover:bg-indigo-700 focus-visible:outline-indigo-600',
  secondary: 'bg-white text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50',
  danger: 'bg-red-600 text-white hover:bg-red-700 focus-visible:outline-red-600',
};

export function Button({
  variant = 'primary',
  className = '',
  ...props
}: { variant?: keyof typeof variants } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return <button className={buttonClass(variant, className)} {...props} />;
}

/** What a message is: an error (read out at once), or a notice or outcome (read out politely). */
export type AlertKind = 'error' | 'info' | 'success';

/**
 * A message about the page or the last action. Errors are role="alert" (read out at once); notices
 * and outcomes are role="status" with aria-live="polite" (read out when the reader is idle), so a
 * screen reader hears what happened. The outcome of an action is ./notice.tsx's Notice, built on this.
 */
export function Alert({ kind = 'error', children, testId }: { kind?: AlertKind; children: ReactNode; testId?: string }) {
  const cls = {
    error: 'border-red-200 bg-red-50 text-red-800',
    info: 'border-sky-200 bg-sky-50 text-sky-900',
    success: 'border-emerald-200 bg-emerald-50 text-emerald-900',
  }[kind];
  const live = kind === 'error' ? { role: 'alert' } : { role: 'status', 'aria-live': 'polite' as const };
  return (
    <div data-testid={testId} {...live} className={`rounded-md border px-4 py-3 text-sm [overflow-wrap:anywhere] ${cls}`}>
      {children}
    </div>
  );
}

/** The look of a button, for a link that acts as one (Cancel, Done). */
export function buttonClass(variant: keyof typeof variants = 'primary', className = ''): string {
  return `inline-flex items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-semibold shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-wait disabled:opacity-60 ${variants[variant]} ${className}`;
}
