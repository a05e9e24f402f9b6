// The application's fields as people read them: each label (the tutorial's, after
// django-oauth-toolkit's form) and the rule under it, described once. The form shows label and hint;
// the application's page lists the stored settings under the same labels. Grant types, client types
// and algorithms are labelled by lib/apps/schema.ts and the grant catalogue.
import type { ApplicationFormValues, ClientType } from '@/lib/apps/schema';

export interface FieldDescription {
  /** The visible <label> (or <legend>), also the setting's name on the application's page. */
  label: string;
  /** The rule, shown under the field (id `<field>-hint`). */
  hint?: string;
  placeholder?: string;
}

/** One description per form field, keyed by the field's name. */
export const FIELDS = {
  name: { label: 'Name', hint: 'Shown to users on the authorization page.' },
  clientId: { label: 'Client id', hint: 'Generated. Public: it goes into URLs.' },
  // Its hints depend on what is stored (client-secret-field.tsx).
  clientSecret: { label: 'Client secret' },
  clientType: { label: 'Client type' },
  grantTypes: { label: 'Authorization grant type' },
  redirectUris: {
    label: 'Redirect uris',
    placeholder: 'https://www.getpostman.com/oauth2/callback',
    hint: 'Space- or newline-separated. Exact match, so in canonical form (lower-case scheme and host, no default port, a path such as /). https, http only on 127.0.0.1, [::1] or localhost, or a private-use scheme such as com.example.app:/callback.',
  },
  postLogoutRedirectUris: {
    label: 'Post logout redirect uris',
    hint: 'Where RP-initiated logout may send the user back. Same rules as redirect uris.',
  },
  allowedOrigins: {
    label: 'Allowed origins',
    placeholder: 'https://app.example.com http://localhost:3000',
    hint: 'Browser apps that call the token endpoint (CORS): scheme://host[:port], no path. Saved as browsers send them: lower case, no default port, IDN as punycode. Redirect uris are not included automatically.',
  },
  algorithm: { label: 'Algorithm', hint: 'How ID tokens are signed (OpenID Connect).' },
  hashClientSecret: {
    label: 'Hash client secret',
    hint: 'Stores only an argon2id hash, so the secret cannot be read back. Uncheck only for HS256, which signs ID tokens with the secret itself.',
  },
  // Its hint depends on who may change it (audience.ts).
  skipAuthorization: { label: 'Skip authorization' },
  // Its hint depends on who may change it (audience.ts).
  owner: { label: 'User' },
  allowedScopes: {
    label: 'Allowed scopes',
    hint: 'The resources’ scopes this application may be granted. OpenID Connect scopes (openid, profile, email) are always allowed.',
  },
  scopePolicy: { label: 'A request for other scopes', hint: 'What happens when the application asks for a scope it is not allowed.' },
} as const satisfies Record<keyof ApplicationFormValues, FieldDescription>;

/** Under each client type's radio button: which applications it is for. */
export const CLIENT_TYPE_HINTS: Record<ClientType, string> = {
  confidential: 'A server-side app that can keep a secret.',
  public: 'A browser, mobile or desktop app: it cannot keep a secret, so it uses PKCE alone.',
};
