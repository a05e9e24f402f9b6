'use client';
// "Connect": the endpoints, Postman's settings, and for every grant the application has (only those)
// a command that runs as copied: curl (bash) or a Node.js fetch() script, and for a public client the
// browser fetch() of a single-page app. The page makes the PKCE verifier, challenge and state (Web
// Crypto, kept in sessionStorage until "New values"); the user pastes the callback URL (its code goes
// into the exchange) and a token response (its tokens go into refresh, introspection, UserInfo and
// revocation). Nothing pasted leaves the page. The snippets come from lib/apps/snippets.ts.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { TextAreaField, TextField, Button } from '@/app/_components/ui';
import {
  PLACEHOLDERS,
  SECRET_SETUP,
  SECRET_VARIABLE,
  connectSnippets,
  newPkceValues,
  readCallback,
  readTokenResponse,
  type CommandKind,
  type Language,
  type PkceValues,
  type ServerScopes,
  type SnippetApp,
} from '@/lib/apps/snippets';
import { urlFor, type EndpointName } from '@/lib/oauth/paths';
import { CopyButton } from './copy-button';

/** A titled code block with its copy button. `wrap` breaks long lines (a URL) instead of scrolling them. */
function Snippet({ id, title, code, note, copyLabel, wrap = false }: { id: string; title: string; code: string; note?: ReactNode; copyLabel: string; wrap?: boolean }) {
  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h4 id={`${id}-title`} className="text-sm font-semibold text-slate-900">
          {title}
        </h4>
        <CopyButton text={code} label={copyLabel} />
      </div>
      {note ? <div className="mb-2 text-xs text-slate-600">{note}</div> : null}
      {/* Focusable: a keyboard user can scroll a long line. */}
      <pre
        aria-labelledby={`${id}-title`}
        data-testid={id}
        tabIndex={0}
        className={`overflow-x-auto rounded-lg bg-slate-900 p-4 text-xs leading-relaxed text-slate-100 ${wrap ? 'whitespace-pre-wrap break-all' : ''}`}
      >
        <code>{code}</code>
      </pre>
    </div>
  );
}

/** A definition list of [term, value] rows, two columns from the sm breakpoint. */
function Definitions({ rows, className, testId }: { rows: [string, ReactNode][]; className: string; testId?: string }) {
  return (
    <dl className={`grid gap-x-6 ${className}`} data-testid={testId}>
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-slate-500">{term}</dt>
          <dd className="text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

const Code = ({ children, testId }: { children: ReactNode; testId?: string }) => (
  <code className="break-all" data-testid={testId}>
    {children}
  </code>
);

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="space-y-4 border-t border-slate-200 pt-6" data-testid={testId}>
      <h3 className="text-base font-semibold text-slate-900">{title}</h3>
      {children}
    </section>
  );
}

/** The panel's names of the endpoints (Postman's for the first two). */
const ENDPOINT_LABELS: Partial<Record<EndpointName, string>> = {
  authorization: 'Auth URL',
  token: 'Access Token URL',
  device_authorization: 'Device authorization URL',
  introspection: 'Introspection URL',
  userinfo: 'UserInfo URL',
  revocation: 'Revocation URL',
};
const ENDPOINT_TEST_IDS: Partial<Record<EndpointName, string>> = { authorization: 'auth-url', token: 'token-url' };

/** Each command's heading, and what its copy button calls it ("Copy <noun> command|script"). */
const COMMANDS: Record<CommandKind, { title: string; noun: string }> = {
  exchange: { title: 'Exchange the code for tokens', noun: 'code exchange' },
  client_credentials: { title: 'Client credentials: a token for the application itself', noun: 'client credentials' },
  device: { title: 'Device authorization: sign in on another device', noun: 'device flow' },
  refresh: { title: 'Refresh the tokens', noun: 'refresh' },
  introspect: { title: 'Introspect the access token', noun: 'introspection' },
  userinfo: { title: 'UserInfo: who signed in', noun: 'UserInfo' },
  revoke: { title: 'Revoke the tokens', noun: 'revocation' },
};
const LANGUAGE_LABELS: Record<Language, string> = { curl: 'curl (bash)', node: 'Node.js (fetch)' };

/** The PKCE values of this application's panel: kept per tab (sessionStorage) so that a reload or Back keeps the verifier of a code on its way. */
function usePkceValues(clientId: string) {
  const key = `connect-pkce:${clientId}`;
  const [values, setValues] = useState<PkceValues | null>(null);
  const [error, setError] = useState<string | null>(null);
  const renew = useCallback(async () => {
    try {
      const v = await newPkceValues();
      try {
        sessionStorage.setItem(key, JSON.stringify(v));
      } catch {
        // Storage off: the values live as long as the page.
      }
      setValues(v);
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    }
  }, [key]);
  useEffect(() => {
    let kept: PkceValues | null = null;
    try {
      const v = JSON.parse(sessionStorage.getItem(key) ?? 'null');
      if (v && typeof v.verifier === 'string' && typeof v.challenge === 'string' && typeof v.state === 'string') kept = v;
    } catch {
      kept = null;
    }
    if (kept) setValues(kept);
    else void renew();
  }, [key, renew]);
  return { values, error, renew };
}

/**
 * @param app the application (what lib/apps/snippets.ts needs of it)
 * @param issuer the ISSUER setting: every URL is built on it
 * @param server the scopes this server knows, for the requests' scope
 * @param codeLifetimeSeconds AUTHORIZATION_CODE_EXPIRE_SECONDS, said next to the exchange
 */
export function ConnectPanel({ app, issuer, server, codeLifetimeSeconds }: { app: SnippetApp; issuer: string; server: ServerScopes; codeLifetimeSeconds: number }) {
  const snippets = useMemo(() => connectSnippets(app, issuer, server), [app, issuer, server]);
  const { plan } = snippets;
  const confidential = app.clientType === 'confidential';
  const [language, setLanguage] = useState<Language>('curl');
  const pkce = usePkceValues(app.clientId);
  const [renewed, setRenewed] = useState(false);
  const [callbackText, setCallbackText] = useState('');
  const [tokensText, setTokensText] = useState('');

  const callback = pkce.values && callbackText.trim() ? readCallback(callbackText, { state: pkce.values.state, issuer }) : null;
  const tokenReading = tokensText.trim() ? readTokenResponse(tokensText) : null;
  const inputs = { code: callback?.ok ? callback.value : null, pkce: pkce.values, tokens: tokenReading?.ok ? tokenReading.value : null };
  const command = (kind: CommandKind, note: ReactNode) => (
    <Snippet
      key={kind}
      id={`${kind}-${language}`}
      title={`${COMMANDS[kind].title} (${LANGUAGE_LABELS[language]})`}
      copyLabel={`Copy ${COMMANDS[kind].noun} ${language === 'curl' ? 'command' : 'script'}`}
      code={snippets.command(kind, language, inputs)}
      note={note}
    />
  );
  const offers = (kind: CommandKind) => plan.commands.includes(kind);

  async function newValues() {
    setCallbackText(''); // its state belongs to the old values
    setRenewed(await pkce.renew());
  }

  // What the panel says of the application: only what is true for it.
  const summary: [string, ReactNode][] = [
    ...plan.endpoints.map((name): [string, ReactNode] => [ENDPOINT_LABELS[name] ?? name, <Code key={name} testId={ENDPOINT_TEST_IDS[name]}>{urlFor(name, issuer)}</Code>]),
    ['Client id', <Code key="id">{app.clientId}</Code>],
    [
      'Client authentication',
      confidential ? 'Client id and secret (HTTP Basic, or client_id and client_secret in the form body)' : 'None: a public client sends only its client_id',
    ],
  ];
  if (plan.codeFlow) summary.push(['PKCE', 'S256 (code_challenge_method=S256)']);

  const postman: [string, ReactNode][] = [
    ['Grant type', 'Authorization code (With PKCE)'],
    ['Callback URL', <Code key="c">{plan.callback}</Code>],
    ['Authorize using browser', 'Leave unchecked'],
    ['Auth URL', <code key="a">{urlFor('authorization', issuer)}</code>],
    ['Access Token URL', <code key="t">{urlFor('token', issuer)}</code>],
    ['Client ID', <Code key="i">{app.clientId}</Code>],
    ['Client Secret', confidential ? 'The secret you copied (the plain one, never its hash)' : 'Leave empty (public client)'],
    ['Scope', plan.userScope],
    ['Code Challenge Method', 'SHA-256'],
    ['Client Authentication', confidential ? 'Send as Basic Auth header' : 'Send client credentials in body'],
  ];

  const tokenCommands = (['refresh', 'introspect', 'userinfo', 'revoke'] as const).filter(offers);
  const tokenNotes: Record<(typeof tokenCommands)[number], ReactNode> = {
    refresh: 'Answers a new access token and a new refresh token; the old refresh token stops working (rotation), so paste this answer above before the next command.',
    introspect: plan.introspectsWithBearer
      ? `Whether the access token is active (RFC 7662). A public client has no secret, so it asks with its own access token, which carries the ${server.introspectionScope} scope for this: once that token is revoked or expired, the answer is invalid_token.`
      : 'Whether the access token is active (RFC 7662), as a resource server asks.',
    userinfo: 'The signed-in user’s sub (OpenID Connect UserInfo). Needs a token from a user’s sign-in with openid, not one from client credentials.',
    revoke: 'Revokes the refresh token, and with it every token of that sign-in (RFC 7009); without a refresh token, the access token. Answers HTTP 200.',
  };

  return (
    <div className="space-y-8" data-testid="connect-panel">
      <Definitions rows={summary} className="gap-y-2 text-sm sm:grid-cols-[12rem_1fr]" testId="connect-summary" />

      {plan.commands.length > 0 ? (
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-slate-700">Show commands for</legend>
          <div className="flex flex-wrap gap-4">
            {(Object.keys(LANGUAGE_LABELS) as Language[]).map((l) => (
              <label key={l} className="inline-flex items-center gap-2 text-sm text-slate-800">
                <input type="radio" name="connect-language" value={l} checked={language === l} onChange={() => setLanguage(l)} />
                {LANGUAGE_LABELS[l]}
              </label>
            ))}
          </div>
          <p className="mt-2 text-xs text-slate-600">
            {language === 'curl'
              ? 'Paste each command into a bash terminal.'
              : 'Save each script as a .mjs file (for example step.mjs) and run it with node step.mjs (Node.js 18 or later).'}
          </p>
        </fieldset>
      ) : null}

      {plan.usesSecret && plan.commands.length > 0 ? (
        <Section title="Your client secret" testId="connect-secret">
          <p className="text-sm text-slate-700">
            {!app.hasSecret
              ? 'No secret is set: regenerate one above, and copy it.'
              : app.secretHashed
                ? 'The secret is hashed, so this page cannot show it: use the one you copied when you registered the application or regenerated the secret (lost it? Regenerate it above).'
                : 'This page does not show the secret after it was created: use the one you copied then (lost it? Regenerate it above).'}{' '}
            The commands read it from the {SECRET_VARIABLE} environment variable. Set it once in the terminal where you run them: run this, then
            paste the secret and press Enter (it is not shown, and stays out of your shell’s history).
          </p>
          <Snippet id="secret-setup" title={`Set ${SECRET_VARIABLE} (bash)`} copyLabel="Copy set-up command" code={SECRET_SETUP} />
        </Section>
      ) : null}

      {plan.codeFlow ? (
        <Section title="Sign a user in: authorization code with PKCE" testId="connect-code-flow">
          {!plan.callback ? (
            <p className="text-sm text-amber-800">Add a redirect uri to this application first: the code comes back to it.</p>
          ) : (
            <>
              <div>
                <h4 className="mb-1 text-sm font-semibold text-slate-900">Postman</h4>
                <p className="mb-3 text-xs text-slate-600">In a request’s Authorization tab, choose OAuth 2.0 and set:</p>
                <Definitions rows={postman} className="gap-y-2 rounded-lg border border-slate-200 p-4 text-sm sm:grid-cols-[12rem_1fr]" testId="postman-settings" />
              </div>

              <div className="space-y-2">
                <h4 className="text-sm font-semibold text-slate-900">Or step by step, with values made in this page</h4>
                {pkce.error ? (
                  <p role="alert" className="text-sm text-red-700">
                    {pkce.error}
                  </p>
                ) : null}
                <Definitions
                  rows={[
                    ['code_verifier', <Code key="v" testId="pkce-verifier">{pkce.values?.verifier ?? '…'}</Code>],
                    ['code_challenge (S256)', <Code key="c" testId="pkce-challenge">{pkce.values?.challenge ?? '…'}</Code>],
                    ['state', <Code key="s" testId="pkce-state">{pkce.values?.state ?? '…'}</Code>],
                  ]}
                  className="gap-y-1 text-xs sm:grid-cols-[10rem_1fr]"
                  testId="pkce-values"
                />
                <div className="flex flex-wrap items-center gap-3">
                  <Button type="button" variant="secondary" onClick={newValues}>
                    New values
                  </Button>
                  <span role="status" className="text-xs text-emerald-700">
                    {renewed ? 'New verifier, challenge and state made: open the authorization URL again.' : ''}
                  </span>
                </div>
                <p className="text-xs text-slate-600">
                  The verifier stays in this page and goes only into the exchange below; the authorization URL carries its S256 challenge and the state.
                </p>
              </div>

              {pkce.values ? (
                <>
                  <Snippet
                    id="authorize-url"
                    title="1. Open the authorization URL"
                    copyLabel="Copy authorization URL"
                    code={snippets.authorizeUrl(pkce.values)}
                    wrap
                    note={
                      <>
                        Open it in a browser (
                        <a href={snippets.authorizeUrl(pkce.values)} target="_blank" rel="noopener noreferrer" className="text-indigo-700 underline">
                          open it in a new tab
                        </a>
                        ), log in and authorize: the browser is then sent to <code className="break-all">{plan.callback}</code> with a code.
                      </>
                    }
                  />
                  <TextField
                    id="connect-callback"
                    label="2. Callback URL"
                    value={callbackText}
                    onChange={(e) => setCallbackText(e.target.value)}
                    placeholder={`${plan.callback}?code=…&state=…`}
                    autoComplete="off"
                    spellCheck={false}
                    hint="Paste the address the browser was sent to after you authorized: its code goes into the command below. It stays in this page."
                    error={callback && !callback.ok ? callback.message : undefined}
                  />
                  {callback?.ok ? (
                    <p role="status" className="text-xs text-emerald-700" data-testid="callback-read">
                      Code read and state checked: the command below carries the code and the verifier. Run it now: a code expires {codeLifetimeSeconds} seconds
                      after it was issued, and works once.
                    </p>
                  ) : null}
                  {command(
                    'exchange',
                    callback?.ok ? null : (
                      <>Paste the callback URL above first: it fills in the code (until then the command says {PLACEHOLDERS.code}).</>
                    ),
                  )}
                </>
              ) : null}

              {plan.spa ? (
                <>
                  <Snippet
                    id="spa-sign-in"
                    title="Single-page app: sign in (browser JavaScript)"
                    copyLabel="Copy SPA sign-in snippet"
                    code={snippets.spaSignIn}
                    note="Your app’s own code, for its sign-in button (or its page’s browser console): it makes its own PKCE values and goes to the authorization URL."
                  />
                  <Snippet
                    id="spa-callback"
                    title="Single-page app: on the callback page (browser JavaScript)"
                    copyLabel="Copy SPA callback snippet"
                    code={snippets.spaCallback}
                    note={
                      <>
                        Runs on the redirect uri’s page: checks the state and exchanges the code with fetch() (a public client sends no secret: the verifier proves
                        it started the sign-in).
                        {plan.callbackOrigin ? (
                          <>
                            {' '}
                            Allowed origins must include <code>{plan.callbackOrigin}</code> for this fetch().
                          </>
                        ) : null}
                      </>
                    }
                  />
                </>
              ) : null}
            </>
          )}
        </Section>
      ) : null}

      {offers('client_credentials') ? (
        <Section title="A token for the application itself">{command('client_credentials', 'No user: no refresh token and no UserInfo for this token.')}</Section>
      ) : null}

      {offers('device') ? (
        <Section title="Sign a user in on another device">
          {command(
            'device',
            'Runs as a TV or a CLI would (RFC 8628): prints the address and code to approve in a browser, asks every few seconds until you approve (or deny), then prints the tokens.',
          )}
        </Section>
      ) : null}

      {tokenCommands.length > 0 ? (
        <Section title="Use the tokens" testId="connect-tokens-section">
          <TextAreaField
            id="connect-tokens"
            label="Token response"
            value={tokensText}
            onChange={(e) => setTokensText(e.target.value)}
            spellCheck={false}
            autoComplete="off"
            hint="Paste the JSON a command above printed (the latest one: a refresh replaces the tokens). Its tokens go into the commands below. It stays in this page."
            error={tokenReading && !tokenReading.ok ? tokenReading.message : undefined}
          />
          {tokenReading?.ok ? (
            <p role="status" className="text-xs text-emerald-700" data-testid="tokens-read">
              Tokens read: the access token{tokenReading.value.refreshToken ? ' and the refresh token' : ''} are in the commands below.
            </p>
          ) : null}
          {tokenCommands.map((k) => command(k, tokenNotes[k]))}
        </Section>
      ) : null}

      {plan.withoutSnippets.length > 0 ? (
        <p className="text-xs text-slate-600">
          No snippet for {plan.withoutSnippets.join(', ')}: use Authorization code with PKCE instead (RFC 9700).
        </p>
      ) : null}
    </div>
  );
}
