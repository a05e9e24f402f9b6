// Every address that names no page (and every notFound() outside a segment with its own page), in
// the site's layout: one h1 that says what happened, and where to go next. Next.js' built-in page
// was a bare "404 | This page could not be found." with no way on.
import type { Metadata } from 'next';
import Link from 'next/link';
import { Card } from './_components/ui';

export const metadata: Metadata = { title: 'Page not found' };

export default function NotFound() {
  return (
    <div className="mx-auto max-w-lg">
      <Card title="Page not found" titleAs="h1">
        <p className="text-slate-600" data-testid="not-found-message">
          There is no page at this address, or you may not see it. Check the link you followed, or start again from the home page.
        </p>
        <Link href="/" className="mt-4 inline-block font-medium text-indigo-700 hover:underline">
          Go to the home page
        </Link>
      </Card>
    </div>
  );
}
