// States returned by the server actions to their forms (useActionState).
import type { ApplicationFormValues, FieldErrors } from '@/lib/apps/schema';

export interface AppFormState {
  /** Bumped on every answer, so the form remounts with the values echoed back. */
  seq?: number;
  errors?: FieldErrors;
  message?: string;
  values?: ApplicationFormValues;
  /** Register: the new application. Update: set only when a secret had to be generated. */
  saved?: { id: number; name: string; clientId: string; clientSecret: string | null };
}

export interface RegenerateState {
  seq?: number;
  message?: string;
  secret?: string;
}
