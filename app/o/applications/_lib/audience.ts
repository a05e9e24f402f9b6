// Who the application form is shown to, described once: what staff may set that an owner may not.
// lib/apps/service.ts enforces the same two rules on the server (a non-staff owner's "User" and
// "Skip authorization" are ignored); this only shapes the form, so nobody is offered a control
// whose value would be dropped.

/** One field that only some audiences may change. */
export interface GovernedField {
  /** Submitted and changeable; otherwise shown read-only (User) or disabled (Skip authorization). */
  editable: boolean;
  /** The line under the field: what it does, or why it cannot be changed here. */
  hint: string;
}

/** What the application form lets its viewer change, computed once per page and passed down. */
export interface FormAudience {
  /** "User": the application's owner, by username. */
  owner: GovernedField;
  /** "Skip authorization": issue codes without the consent screen (the service's `skipAuthorization`). */
  skipAuthorization: GovernedField;
}

const STAFF: FormAudience = {
  owner: { editable: true, hint: 'The owner’s username (staff may pick any user).' },
  skipAuthorization: {
    editable: true,
    hint: 'Issue codes without asking users for consent. Only for first-party applications you trust.',
  },
};

const OWNER: FormAudience = {
  owner: { editable: false, hint: 'The owner of the application: you.' },
  skipAuthorization: { editable: false, hint: 'Only staff can let an application skip the consent screen.' },
};

/**
 * The form's audience for a signed-in user: staff may give an application to any user and let it
 * skip consent; anyone else owns what they register and always gets the consent screen.
 *
 * @param user the session user (only `isStaff` is read)
 * @returns a plain, serializable description, safe to pass from a server page to the client form
 */
export function formAudience(user: { isStaff: boolean }): FormAudience {
  return user.isStaff ? STAFF : OWNER;
}
