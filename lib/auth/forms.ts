// zod schemas of the account forms, shared by the pages and their server actions.
import { z } from 'zod';
import { emailAddress, singleLineText } from '../fields';

export const loginSchema = z.object({
  username: singleLineText({ min: 1, minMessage: 'Enter your username.', max: 150 }),
  password: z.string().min(1, 'Enter your password.').max(1024),
  next: z.string().optional(),
});

/** A new password (sign-up, password change): the one rule for both. */
export const newPassword = z.string().min(8, 'Too short. At least 8 characters.').max(1024, 'Too long. At most 1024 characters.');

export const signupSchema = z
  .object({
    username: singleLineText({ min: 3, max: 150 }).regex(/^[A-Za-z0-9_.@+-]+$/, 'Letters, digits and @ . + - _ only.'),
    email: emailAddress(),
    password: newPassword,
    password2: z.string(),
    next: z.string().optional(),
  })
  .refine((v) => v.password === v.password2, { path: ['password2'], message: 'The two passwords differ.' });

export const passwordChangeSchema = z
  .object({
    current_password: z.string().min(1, 'Enter your current password.').max(1024, 'At most 1024 characters.'),
    new_password: newPassword,
    new_password2: z.string(),
  })
  .refine((v) => v.new_password === v.new_password2, { path: ['new_password2'], message: 'The two passwords differ.' })
  .refine((v) => v.new_password !== v.current_password, { path: ['new_password'], message: 'Choose a password different from the current one.' });

export type FieldErrors = Record<string, string[] | undefined>;
export interface FormState {
  errors?: FieldErrors;
  /** An error about the whole form. */
  message?: string;
  /** What a successful submission did. */
  done?: string;
  values?: Record<string, string>;
}
