'use client';
// An unexpected error of a page or a server action, in the site's layout (the header stays): one
// h1 that says what happened, the error's reference for the server's log (its digest: never the
// message, which may hold details for the operator only), and the ways on. Next.js' built-in view
// was a bare "Application error" with no way on.
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import { Card } from './_components/ui';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="mx-auto max-w-lg" role="alert" data-testid="error-page">
      <Card>
        <h1 ref={heading} tabIndex={-1} className="mb-4 text-xl font-semibold text-slate-900 focus:outline-none">
          Something went wrong
        </h1>
        <p className="text-slate-600">
          The server could not complete this request. Nothing you did caused it; try again, or go back to the home page.
        </p>
        {error.digest ? (
          <p className="mt-2 text-sm text-slate-500">
            Reference for the server’s log: <code data-testid="error-digest">{error.digest}</code>
          </p>
        ) : null}
        <div className="mt-4 flex gap-3">
          <button type="button" onClick={reset} className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">
            Try again
          </button>
          <Link href="/" className="rounded-md px-4 py-2 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
            Go to the home page
          </Link>
        </div>
      </Card>
    </div>
  );
}
