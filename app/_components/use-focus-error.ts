'use client';
// Where focus goes when a form's action answers with an error. The submit button is disabled while
// the action runs, which drops focus to <body>: a keyboard or screen-reader user would have to find
// the error from the top of the page. WCAG 2.2 §3.3.1 (error identification), §2.4.3 (focus order).
import { useEffect, type RefObject } from 'react';
import type { FormState } from '@/lib/auth/forms';

/**
 * After each answer of a form's action that carries errors, moves focus to the form's message about
 * the whole form (the role="alert" Alert, made focusable) or else to its first invalid field
 * (aria-invalid="true"; its aria-describedby reads the error out). Does nothing on the first render
 * or after a successful answer.
 * @param formRef the form the action belongs to
 * @param state the action's latest answer (useActionState)
 */
export function useFocusError(formRef: RefObject<HTMLFormElement | null>, state: Pick<FormState, 'message' | 'errors'>): void {
  useEffect(() => {
    if (!state.message && !state.errors) return;
    const target = formRef.current?.querySelector<HTMLElement>('[role="alert"], [aria-invalid="true"]');
    if (!target) return;
    if (target.getAttribute('role') === 'alert' && !target.hasAttribute('tabindex')) target.tabIndex = -1;
    target.focus();
  }, [formRef, state]);
}
