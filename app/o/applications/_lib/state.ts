// States returned by the server actions to their forms (useActionState).
import type { ApplicationFormValues, FieldErrors } from '@/lib/apps/schema';

export interface ShownSecret {
  id: number;
  name: string;
  clientId: string;
  /** The plain secret, present only in the one response that created it. */
  clientSecret: string;
  secretHashed: boolean;
}

export interface AppFormState {
  /** Bumped on every answer, so the form remounts with the values echoed back. */
  seq?: number;
  errors?: FieldErrors;
  message?: string;
  values?: ApplicationFormValues;
  /** Register: the new application. Update: set only when a secret had to be generated. */
  saved?: { id: number; name: string; clientId: string; clientSecret: string | null; secretHashed: boolean };
}

export interface RegenerateState {
  seq?: number;
  message?: string;
  secret?: string;
  secretHashed?: boolean;
}
