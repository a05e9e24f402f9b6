// The ready-to-paste snippets of an application's Connect panel (app/o/applications/_components/
// connect-panel.tsx): an authorization URL, curl commands and a browser fetch(). Pure: no React and
// no settings (the panel passes the issuer), so it is tested on its own.
//
// Staff see other users' applications, and a redirect URI may hold "$(…)" or quotes: every value is
// quoted for the language of its snippet (POSIX shell single quotes, JavaScript string literals),
// so pasting a snippet never runs anything but the command shown. The secret is never printed.
import { canonicalOrigin } from '../canonical';
import { urlFor } from '../oauth/paths';

/** What the snippets need of an application. */
export interface SnippetApp {
  clientId: string;
  clientType: 'confidential' | 'public';
  redirectUris: readonly string[];
}

/** Placeholders the user replaces; written as is (they are constants). */
export const PLACEHOLDERS = {
  redirectUri: 'REDIRECT_URI',
  clientSecret: 'CLIENT_SECRET',
  code: 'AUTHORIZATION_CODE',
  codeVerifier: 'CODE_VERIFIER',
  codeChallenge: 'CODE_CHALLENGE',
  state: 'STATE',
} as const;

/**
 * One POSIX shell word holding exactly `value`: single quotes, inside which nothing is expanded
 * (no $, `, \, !, globbing), and each ' written as '\'' (close the quote, an escaped quote, reopen).
 * Newlines stay literal inside the quotes.
 *
 * @param value any string
 * @returns e.g. shellQuote("it's") === `'it'\''s'`
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A JavaScript string literal holding exactly `value` (JSON is a subset of ECMAScript since
 * ES2019, U+2028/U+2029 included): quotes, backslashes and newlines are escaped.
 */
export function jsString(value: string): string {
  return JSON.stringify(value);
}

export interface ConnectSnippets {
  /** The authorization endpoint's URL (lib/oauth/paths.ts: `${issuer}/o/authorize/`). */
  authUrl: string;
  /** The token endpoint's URL (`${issuer}/o/token/`). */
  tokenUrl: string;
  /** The first registered redirect URI, or null when there is none. */
  callback: string | null;
  /** The origin of the callback page when it is an http(s) URI: the one to list in Allowed origins. */
  callbackOrigin: string | null;
  /** A complete authorization request (query built with URLSearchParams, so every value is encoded). */
  authorizeUrl: string;
  /** curl: exchange an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5). */
  curlCode: string;
  /** curl: client credentials (RFC 6749 §4.4); meaningful for confidential clients only. */
  curlClientCredentials: string;
  /** Browser JavaScript for a public SPA: PKCE S256, redirect, then the code exchange with fetch(). */
  spaFetch: string;
}

/**
 * The Connect panel's snippets for `app` on the server at `issuer` (the ISSUER setting, no trailing
 * slash). Each request sends code_challenge_method=S256 explicitly (RFC 7636 §4.3: an omitted
 * method means plain, which this server refuses by default).
 */
export function connectSnippets(app: SnippetApp, issuer: string): ConnectSnippets {
  const authUrl = urlFor('authorization', issuer);
  const tokenUrl = urlFor('token', issuer);
  const callback = app.redirectUris[0] ?? null;
  const redirect = callback ?? PLACEHOLDERS.redirectUri;
  const confidential = app.clientType === 'confidential';
  const callbackOrigin = callback ? canonicalOrigin(originOf(callback)) : null;

  const authorizeUrl =
    `${authUrl}?` +
    new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: redirect,
      scope: 'read',
      state: PLACEHOLDERS.state,
      code_challenge: PLACEHOLDERS.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();

  const q = shellQuote;
  const curlCode = [
    `curl -X POST ${q(tokenUrl)} \\`,
    confidential ? `  -u ${q(`${app.clientId}:${PLACEHOLDERS.clientSecret}`)} \\` : `  --data-urlencode ${q(`client_id=${app.clientId}`)} \\`,
    `  -d grant_type=authorization_code \\`,
    `  -d code=${PLACEHOLDERS.code} \\`,
    `  --data-urlencode ${q(`redirect_uri=${redirect}`)} \\`,
    `  -d code_verifier=${PLACEHOLDERS.codeVerifier}`,
  ].join('\n');

  const curlClientCredentials = [
    `curl -X POST ${q(tokenUrl)} \\`,
    `  -u ${q(`${app.clientId}:${PLACEHOLDERS.clientSecret}`)} \\`,
    `  -d grant_type=client_credentials \\`,
    `  -d scope=read`,
  ].join('\n');

  const s = jsString;
  const spaFetch = `// 1. Sign in: create a PKCE verifier, keep it for the callback, go to the Auth URL.
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
sessionStorage.setItem('pkce', JSON.stringify({ verifier, state }));
location.assign(${s(`${authUrl}?`)} + new URLSearchParams({
  response_type: 'code',
  client_id: ${s(app.clientId)},
  redirect_uri: ${s(redirect)},
  scope: 'read',
  state,
  code_challenge: challenge,
  code_challenge_method: 'S256',
}));

// 2. On the redirect URI page: check state, exchange the code (CORS: add this page's origin
//    to Allowed origins). A public client sends no secret: the verifier proves it started the flow.
const params = new URLSearchParams(location.search);
const saved = JSON.parse(sessionStorage.getItem('pkce'));
sessionStorage.removeItem('pkce');
if (!saved || params.get('state') !== saved.state) throw new Error('state mismatch');
const res = await fetch(${s(tokenUrl)}, {
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({
    grant_type: 'authorization_code',
    code: params.get('code'),
    redirect_uri: ${s(redirect)},
    client_id: ${s(app.clientId)},
    code_verifier: saved.verifier,
  }),
});
const tokens = await res.json(); // { access_token, token_type, expires_in, refresh_token?, scope }`;

  return { authUrl, tokenUrl, callback, callbackOrigin, authorizeUrl, curlCode, curlClientCredentials, spaFetch };
}

/** scheme://authority of a hierarchical URI, or '' (canonicalOrigin then keeps only http(s) ones). */
function originOf(uri: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(uri);
  return m ? m[0] : '';
}
