// The flash cookie (lib/http/flash.ts) as the pages and server actions use it: an action calls
// setFlash before its redirect; the page it lands on shows the notice (FlashNotice,
// app/_components/notice.tsx), which clears the cookie in the browser. Without JavaScript the
// cookie simply expires (FLASH_MAX_AGE_SECONDS): a reload within that minute shows it again.
import { cookies } from 'next/headers';
import { env } from '@/lib/env';
import { FLASH_MAX_AGE_SECONDS, openFlash, sealFlash } from '@/lib/http/flash';
import type { NoticeCode } from './notices';

/** `__Host-flash` on https (no neighbouring site may set it), `flash` on http (local development). */
export const flashCookieName = () => (env().ISSUER.startsWith('https://') ? '__Host-flash' : 'flash');

/**
 * In a server action, before `redirect(path)`: the notice for that page.
 * @param path the page's path, without its query (the reader compares it with its own)
 * @param userId who will read it: the signed-in user, or null when nobody is (after logging out)
 * @param notice the code (app/_lib/notices.ts), and the name or count its words show
 */
export async function setFlash(path: string, userId: string | null, notice: { code: NoticeCode; arg?: string; n?: number }): Promise<void> {
  const secure = env().ISSUER.startsWith('https://');
  (await cookies()).set(flashCookieName(), sealFlash(notice, { path, userId }, env().AUTH_SECRET), {
    path: '/',
    maxAge: FLASH_MAX_AGE_SECONDS,
    sameSite: 'lax',
    secure,
    // The page clears it from the browser once shown (ClearFlash); it holds nothing secret.
    httpOnly: false,
  });
}

/**
 * In a page: the notice left for it, or null.
 * @param path the page's own path (without query)
 * @param userId the signed-in user, or null
 */
export async function readFlash(path: string, userId: string | null) {
  const value = (await cookies()).get(flashCookieName())?.value;
  return openFlash(value, { path, userId }, env().AUTH_SECRET);
}
