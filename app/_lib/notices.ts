// Every notice an action leaves for the page it lands on, described once: its kind (success, info,
// error) and its words. Actions name a code (setFlash, app/_lib/flash.ts); pages show its words
// (FlashNotice, app/_components/notice.tsx). The `arg` (an application's name, a redirect URI) is
// the server's own value, sealed in the flash cookie, and shown as text.
import type { AlertKind } from '@/app/_components/ui';

/** What a notice says, from its sealed argument and count. */
type Words = (f: { arg: string; n: number }) => string;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const NOTICES = {
  // Applications (/o/applications/)
  app_saved: ['success', ({ arg }) => `Saved ${arg}.`],
  app_deleted: ['success', ({ arg }) => `Deleted ${arg}, with all its tokens, codes and consents.`],
  app_suspended: ['success', ({ arg }) => `Suspended ${arg}: it can no longer authenticate, ask for access or use its tokens.`],
  app_unsuspended: ['success', ({ arg }) => `${arg} is active again; its unexpired tokens work again.`],
  callback_added: ['success', ({ arg }) => `Added ${arg} to the redirect URIs.`],
  callback_present: ['info', ({ arg }) => `${arg} was registered already. Nothing was changed.`],
  callback_refused: ['error', ({ arg }) => `The callback was not added: ${arg}`],
  // Authorized applications (/o/authorized_tokens/)
  access_revoked: ['success', ({ arg }) => `Revoked access for ${arg}. It can no longer use your account until you authorize it again.`],
  // Account
  logged_out: ['success', () => 'Logged out. Your session on this server has ended.'],
  session_ended: ['success', () => 'Session signed out: that browser must log in again.'],
  session_not_live: ['info', () => 'That session had already ended. Nothing was changed.'],
  others_signed_out: [
    'success',
    ({ n }) => (n === 0 ? 'There were no other sessions to sign out.' : `Signed out ${plural(n, 'other session')}. Only this browser is still signed in.`),
  ],
  // The staff area (/admin/)
  first_admin: ['success', () => 'Your admin account is created and you are signed in. The setup page is now closed; add more staff under Users.'],
  activated: ['success', ({ arg }) => `Activated ${arg}; the applications they own work again.`],
  deactivated: [
    'success',
    ({ arg }) => `Deactivated ${arg}: their tokens are revoked, every session of theirs has ended and the applications they own are suspended.`,
  ],
  made_staff: ['success', ({ arg }) => `${arg} is now staff.`],
  staff_removed: ['success', ({ arg }) => `${arg} is no longer staff.`],
  self_deactivate: ['error', () => 'You cannot deactivate your own account.'],
  self_demote: ['error', () => 'You cannot remove your own staff status.'],
  tokens_revoked: ['success', ({ n }) => (n === 0 ? 'Nothing to revoke: the selected rows were already revoked or used.' : `Revoked ${plural(n, 'row')}.`)],
  none_selected: ['error', () => 'Select at least one row to revoke.'],
  resource_created: ['success', ({ arg }) => `Registered the resource ${arg}. Applications may now ask for its scopes.`],
  resource_saved: ['success', ({ arg }) => `Saved ${arg}. Tokens issued before keep the scopes and lifetime they were issued with.`],
  resource_deleted: ['success', ({ arg }) => `Removed ${arg}. New requests naming it are refused and its refresh tokens are revoked; access tokens already issued stay valid until they expire.`],
  resource_built_in: ['error', () => 'The built-in resource cannot be removed: it is the issuer’s own /api.'],
} as const satisfies Record<string, readonly [AlertKind, Words]>;

export type NoticeCode = keyof typeof NOTICES;
