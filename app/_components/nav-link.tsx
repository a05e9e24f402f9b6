'use client';
// A navigation link that says whether it is the page or section being shown (aria-current="page"),
// for the header and the staff area's sub-navigation. The layouts that draw them are server
// components and are not re-rendered between pages, so the current path is read here.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';

/** "/o/applications/" and "/o/applications" name the same page (trailing slash optional). */
const trimmed = (p: string) => p.replace(/\/+$/, '') || '/';

/**
 * True when `pathname` is `href` itself, or (unless `exact`) a page under it: the header's
 * "Applications" is current on /o/applications/12/update/ too.
 */
export function isCurrent(pathname: string, href: string, exact = false): boolean {
  const [p, h] = [trimmed(pathname), trimmed(href)];
  if (p === h) return true;
  return !exact && h !== '/' && p.startsWith(`${h}/`);
}

/**
 * A Link with aria-current="page" on its page or section (`exact`: on its own page only). Style the
 * current state with `aria-[current=page]:` classes in `className`.
 */
export function NavLink({ href, exact = false, className, children }: { href: string; exact?: boolean; className?: string; children: ReactNode }) {
  const current = isCurrent(usePathname() ?? '', href, exact);
  return (
    <Link href={href} aria-current={current ? 'page' : undefined} className={className}>
      {children}
    </Link>
  );
}
