// The one HTML error view: a self-contained page in plain words, saying how to fix it. Both doors
// answer with it (the authorization endpoint's errors that may not redirect, under the node door
// and the App Router route handler alike) and so do the front door's own refusals (400, 408, 413,
// 431, a foreign server action). No Next.js page renders an error of its own: the consent page
// sends what it cannot show back to the authorization endpoint (lib/oauth/endpoints/authorize.ts).
import type { OAuthResponse } from './http';
import type { ErrorPageText } from './errors';
import { SECURITY_HEADERS } from '../http/security-headers';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The server's security headers (lib/http/security-headers.ts), with the page's own stricter
 * Content-Security-Policy (it loads nothing; it still may not be framed) and no caching.
 */
export const PAGE_SECURITY_HEADERS = {
  ...SECURITY_HEADERS,
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

/**
 * The error page as an answer, in the site's look (the layout's header bar with the name linking
 * home, then one card): `p.title` as the heading, `p.message` (data-testid="error-message"), the
 * optional `p.hint` ("How to fix it") and `p.links` (real links that carry out the fix, the first
 * drawn as the main one), HTML-escaped, with the security headers above.
 * @param p.status the HTTP status of the answer
 */
export function htmlErrorPage(p: ErrorPageText & { status: number }): OAuthResponse {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)} · OAuth Provider</title>
<style>
body{margin:0;font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f8fafc;color:#0f172a}
header{background:#fff;border-bottom:1px solid #e2e8f0}
header div{max-width:64rem;margin:0 auto;padding:.75rem 1rem}
header a{display:inline-flex;align-items:center;gap:.5rem;font-weight:600;color:#0f172a;text-decoration:none}
header span{display:grid;place-items:center;width:1.75rem;height:1.75rem;border-radius:.375rem;background:#4f46e5;color:#fff;font-size:.75rem;font-weight:700}
main{max-width:36rem;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:.75rem;padding:1.5rem;box-shadow:0 1px 2px rgba(0,0,0,.05)}
h1{font-size:1.4rem;margin:0 0 .75rem;color:#b91c1c}
p{line-height:1.5;margin:.5rem 0}.hint{background:#f1f5f9;border-radius:.5rem;padding:.75rem 1rem;color:#334155}
a{color:#4338ca}
.links{list-style:none;padding:0;margin:1rem 0 0;display:flex;flex-wrap:wrap;gap:.5rem}
.links a{display:inline-block;border-radius:.375rem;padding:.5rem 1rem;font-weight:600;text-decoration:none;border:1px solid #cbd5e1;color:#1e293b;background:#fff}
.links li:first-child a{background:#4f46e5;border-color:#4f46e5;color:#fff}
</style></head>
<body><header><div><a href="/"><span aria-hidden="true">OA</span>OAuth Provider</a></div></header>
<main><div class="card">
<h1>${esc(p.title)}</h1>
<p data-testid="error-message">${esc(p.message)}</p>
${p.hint ? `<p class="hint"><strong>How to fix it:</strong> ${esc(p.hint)}</p>` : ''}
${p.links?.length ? `<ul class="links">${p.links.map((l) => `<li><a href="${esc(l.href)}">${esc(l.label)}</a></li>`).join('')}</ul>` : ''}
<p><a href="/">Back to the home page</a></p>
</div></main></body></html>`;
  return { status: p.status, headers: { 'content-type': 'text/html; charset=utf-8', ...PAGE_SECURITY_HEADERS }, body };
}
