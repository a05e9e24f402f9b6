export interface CodeFormState {
  error?: string;
  /** What the user typed, echoed back after an error. */
  value?: string;
}
