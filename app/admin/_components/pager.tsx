import Link from 'next/link';
import { listHref } from '@/lib/admin/schema';

/** Keyset pagination: "first page" and "next page" (there is no page count on 100k rows). */
export function Pager({ path, params, next, isFirst }: { path: string; params: Record<string, string | undefined>; next: string | null; isFirst: boolean }) {
  if (isFirst && !next) return null;
  return (
    <nav className="mt-4 flex items-center justify-between text-sm" aria-label="Pagination">
      {isFirst ? <span /> : (
        <Link className="text-indigo-700 hover:underline" href={listHref(path, { ...params, after: undefined })}>
          ← First page
        </Link>
      )}
      {next ? (
        <Link className="font-medium text-indigo-700 hover:underline" href={listHref(path, { ...params, after: next })} data-testid="next-page">
          Next page →
        </Link>
      ) : (
        <span className="text-slate-500">Last page</span>
      )}
    </nav>
  );
}
