// The notice an action left for the page it redirected to (app/_lib/flash.ts: a sealed, short-lived
// cookie; codes and words in app/_lib/notices.ts, never text from the URL), as a Notice.
import type { ReactNode } from 'react';
import { env } from '@/lib/env';
import { ownEntry } from '@/lib/fields';
import { flashCookieName, readFlash } from '@/app/_lib/flash';
import { NOTICES, type NoticeCode } from '@/app/_lib/notices';
import { ClearFlash } from './clear-flash';
import { Notice } from './notice';

/**
 * The notice left for this page, if any (nothing otherwise).
 * @param path this page's path (without query), as the action named it
 * @param userId the signed-in user, or null
 * @param more what the page adds under a given notice (e.g. "Retry the authorization request")
 */
export async function FlashNotice({ path, userId, more }: { path: string; userId: string | null; more?: Partial<Record<NoticeCode, ReactNode>> }) {
  const flash = await readFlash(path, userId);
  const entry = flash && ownEntry(NOTICES, flash.code);
  if (!flash || !entry) return null;
  const [kind, words] = entry;
  return (
    <Notice kind={kind}>
      {words({ arg: flash.arg ?? '', n: flash.n ?? 0 })}
      {more?.[flash.code as NoticeCode] ?? null}
      <ClearFlash name={flashCookieName()} secure={env().ISSUER.startsWith('https://')} />
    </Notice>
  );
}
