// "Connect": the endpoints and ready-to-paste settings for Postman, curl and a browser SPA.
// Built from env().ISSUER by lib/apps/snippets.ts. The secret is never printed: snippets say where it goes.
import type { ReactNode } from 'react';
import type { ApplicationView } from '@/lib/apps/service';
import { CLIENT_TYPE_LABELS, GRANT_AUTHORIZATION_CODE, GRANT_CLIENT_CREDENTIALS, grantTypeLabel, type GrantType } from '@/lib/apps/schema';
import { connectSnippets } from '@/lib/apps/snippets';
import { CopyButton } from './copy-button';

function Snippet({ id, title, code, note, copyLabel }: { id: string; title: string; code: string; note?: ReactNode; copyLabel: string }) {
  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h3 id={`${id}-title`} className="text-sm font-semibold text-slate-900">
          {title}
        </h3>
        <CopyButton text={code} label={copyLabel} />
      </div>
      {note ? <p className="mb-2 text-xs text-slate-600">{note}</p> : null}
      {/* tabIndex: a scrolling region must be reachable by keyboard to be scrolled (WCAG 2.1.1, axe scrollable-region-focusable). */}
      <pre
        tabIndex={0}
        aria-labelledby={`${id}-title`}
        data-testid={id}
        className="overflow-x-auto rounded-lg bg-slate-900 p-4 text-xs leading-relaxed text-slate-100"
      >
        <code>{code}</code>
      </pre>
    </div>
  );
}

/** A grant the snippet needs but the application lacks, named as the form's checkbox names it. */
const NotEnabled = ({ grant }: { grant: GrantType }) => (
  <span className="ml-1 rounded bg-amber-100 px-1.5 py-0.5 text-amber-900">Enable {grantTypeLabel(grant)} on this application to use it.</span>
);

export function ConnectPanel({ app, issuer }: { app: ApplicationView; issuer: string }) {
  const confidential = app.clientType === 'confidential';
  const hasCode = app.grantTypes.includes(GRANT_AUTHORIZATION_CODE);
  const hasCc = app.grantTypes.includes(GRANT_CLIENT_CREDENTIALS);
  // Every value in these is quoted for its language (lib/apps/snippets.ts).
  const { authUrl, tokenUrl, callback, callbackOrigin: origin, authorizeUrl: authorizeLink, curlCode, curlClientCredentials: curlCc, spaFetch: spa } =
    connectSnippets(app, issuer);

  const postman: [string, ReactNode][] = [
    ['Grant type', 'Authorization code (With PKCE)'],
    [
      'Callback URL',
      callback ? (
        <code className="break-all">{callback}</code>
      ) : (
        <span className="text-amber-800">Add a redirect uri to this application first.</span>
      ),
    ],
    ['Authorize using browser', 'Leave unchecked'],
    ['Auth URL', <code key="a">{authUrl}</code>],
    ['Access Token URL', <code key="t">{tokenUrl}</code>],
    ['Client ID', <code key="c" className="break-all">{app.clientId}</code>],
    ['Client Secret', confidential ? 'The secret you copied (the plain one, never its hash)' : 'Leave empty (public client)'],
    ['Code Challenge Method', 'SHA-256'],
    ['Client Authentication', confidential ? 'Send as Basic Auth header' : 'Send client credentials in body'],
  ];

  return (
    <div className="space-y-8" data-testid="connect-panel">
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
        <dt className="text-slate-500">Auth URL</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <code className="break-all" data-testid="auth-url">
            {authUrl}
          </code>
        </dd>
        <dt className="text-slate-500">Access Token URL</dt>
        <dd>
          <code className="break-all" data-testid="token-url">
            {tokenUrl}
          </code>
        </dd>
        <dt className="text-slate-500">Client id</dt>
        <dd>
          <code className="break-all">{app.clientId}</code>
        </dd>
      </dl>

      <div>
        <h3 className="mb-1 text-sm font-semibold text-slate-900">Postman</h3>
        <p className="mb-3 text-xs text-slate-600">In a request’s Authorization tab, choose OAuth 2.0 and set:</p>
        <dl className="grid gap-x-6 gap-y-2 rounded-lg border border-slate-200 p-4 text-sm sm:grid-cols-[12rem_1fr]" data-testid="postman-settings">
          {postman.map(([k, val]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500">{k}</dt>
              <dd className="text-slate-900">{val}</dd>
            </div>
          ))}
        </dl>
      </div>

      <Snippet
        id="authorize-url"
        title="Authorization request (for a code)"
        copyLabel="Copy authorization URL"
        code={authorizeLink}
        note={
          <>
            Replace CODE_CHALLENGE with BASE64URL(SHA-256(code_verifier)) and STATE with a random value; the code comes back to the
            redirect uri.{hasCode ? null : <NotEnabled grant={GRANT_AUTHORIZATION_CODE} />}
          </>
        }
      />
      <Snippet
        id="curl-code"
        title="curl: exchange the code for tokens"
        copyLabel="Copy code exchange command"
        code={curlCode}
        note={
          <>
            {confidential ? 'CLIENT_SECRET is the secret you copied. ' : null}Codes are single use and expire within a minute.
            {hasCode ? null : <NotEnabled grant={GRANT_AUTHORIZATION_CODE} />}
          </>
        }
      />
      {confidential ? (
        <Snippet
          id="curl-client-credentials"
          title="curl: client credentials"
          copyLabel="Copy client credentials command"
          code={curlCc}
          note={
            hasCc ? (
              'A token for the application itself, no user.'
            ) : (
              <>
                A token for the application itself, no user.
                <NotEnabled grant={GRANT_CLIENT_CREDENTIALS} />
              </>
            )
          }
        />
      ) : (
        // No command to copy: a public client has no secret, and one pasted anyway would only fail.
        <div data-testid="client-credentials-public">
          <h3 className="mb-2 text-sm font-semibold text-slate-900">curl: client credentials</h3>
          <p className="text-xs text-slate-600">
            Confidential clients only: a public client has no secret, so it cannot use client credentials.
          </p>
        </div>
      )}
      <Snippet
        id="spa-fetch"
        title="Browser fetch() for a public SPA client (PKCE)"
        copyLabel="Copy SPA snippet"
        code={spa}
        note={
          <>
            For a {CLIENT_TYPE_LABELS.public} client with {grantTypeLabel(GRANT_AUTHORIZATION_CODE)}.
            {origin ? (
              <>
                {' '}
                Allowed origins must include <code>{origin}</code> if that page calls the token endpoint.
              </>
            ) : null}
          </>
        }
      />
    </div>
  );
}
