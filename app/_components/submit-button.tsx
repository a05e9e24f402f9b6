'use client';
// A submit button that shows progress while its form's action runs.
import { useFormStatus } from 'react-dom';
import { Button } from './ui';
import type { ButtonHTMLAttributes, ReactNode } from 'react';

export function SubmitButton({
  children,
  pendingText,
  variant,
  ...props
}: { children: ReactNode; pendingText?: string; variant?: 'primary' | 'secondary' | 'danger' } & ButtonHTMLAttributes<HTMLButtonElement>) {
  const { pending, data } = useFormStatus();
  // With several submit buttons in one form, only the one that was pressed shows progress.
  const active = pending && (!props.name || data?.get(props.name) === props.value);
  return (
    <Button type="submit" variant={variant} disabled={pending} aria-busy={active} {...props}>
      {active ? (
        <>
          <span className="size-4 animate-spin rounded-full border-2 border-current border-t-transparent" aria-hidden />
          {pendingText ?? children}
        </>
      ) : (
        children
      )}
    </Button>
  );
}
