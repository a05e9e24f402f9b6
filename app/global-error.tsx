'use client';
// An error of the root layout itself (app/error.tsx cannot show it: it renders inside that
// layout), and the page Next.js builds for its own 500. It draws the site's frame without the
// layout's data: the same header (the site's name, home and login links) and the same styles.
import './globals.css';
import { Card } from './_components/ui';
import { BrandMark } from './_components/brand';

export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <head>
        <title>Something went wrong · OAuth Provider</title>
      </head>
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
            {/* Plain links: a full page load, since the app around this page failed. */}
            <a href="/" className="flex items-center gap-2 font-semibold text-slate-900">
              <BrandMark />
            </a>
            <nav className="flex items-center gap-4 text-sm" aria-label="Main">
              <a className="text-slate-700 hover:text-indigo-700" href="/accounts/login/">
                Log in
              </a>
            </nav>
          </div>
        </header>
        <main className="mx-auto max-w-5xl px-4 py-8">
          <div className="mx-auto max-w-lg" role="alert" data-testid="error-page">
            <Card title="Something went wrong" titleAs="h1">
              <p className="text-slate-600">The server could not show this page. Try again in a moment, or go back to the home page.</p>
              {error?.digest ? (
                <p className="mt-2 text-sm text-slate-500">
                  Reference for the server’s log: <code>{error.digest}</code>
                </p>
              ) : null}
              <a href="/" className="mt-4 inline-block font-medium text-indigo-700 hover:underline">
                Go to the home page
              </a>
            </Card>
          </div>
        </main>
      </body>
    </html>
  );
}
