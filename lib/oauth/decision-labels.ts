// The words of the buttons with which a user refuses an authorization request: the consent page's
// (app/o/authorize/consent/page.tsx) and the device approval page's (app/o/device/page.tsx). One
// place, so the playground's explanation of access_denied (lib/apps/error-explanations.ts) names
// the button the user actually clicked. Pure.

/** The consent page's refusal (RFC 6749 §4.1.2.1 access_denied follows). */
export const CONSENT_DENY_LABEL = 'Cancel';

/** The device approval page's refusal (RFC 8628 §3.5 access_denied follows). */
export const DEVICE_DENY_LABEL = 'Deny';
