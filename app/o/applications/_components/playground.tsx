'use client';
// "Try it": the Connect panel's requests (lib/apps/snippets.ts, one description of each), sent from
// this page. One step per grant the application has, then refresh, introspection, UserInfo and
// revocation with what was obtained. Each step shows its request before it is sent (every
// parameter explained and linked to its RFC section: lib/apps/parameter-explanations.ts), its
// answer after (status, the headers that matter, the JSON), JWTs decoded and checked
// (lib/apps/jwt-checks.ts), errors explained (lib/apps/error-explanations.ts), and its curl.
// A confidential application's secret is typed into an uncontrolled input and read from it only
// when a step runs: React never renders it (no value attribute in the page's HTML), it is sent to
// this server's endpoints as client_secret, and is never stored, put in a URL, or copied into a
// command (those read $CLIENT_SECRET). The authorization request opens in a new tab that
// returns to the playground's callback (lib/apps/playground.ts), which posts the code back here.
import { forwardRef, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { JSONWebKeySet } from 'jose';
import { Button } from '@/app/_components/ui';
import { connectSnippets, newPkceValues, type PkceValues, type ResolvedRequest, type ServerScopes, type SnippetApp, type StepRequest } from '@/lib/apps/snippets';
import { explainParameter, type ParameterExplanation } from '@/lib/apps/parameter-explanations';
import { challengeError, explainError, type ErrorPlace } from '@/lib/apps/error-explanations';
import { checkJwt, looksLikeJwt, type JwtReport } from '@/lib/apps/jwt-checks';
import { PLAYGROUND_CHANNEL, callbackAck, readCallbackMessage, type CallbackReading } from '@/lib/apps/playground';
import { urlFor } from '@/lib/oauth/paths';
import { CopyButton } from './copy-button';

/** The response headers worth showing (RFC 6749 §5.1 no-store, RFC 6750 §3 challenges, RFC 6585 Retry-After). */
const SHOWN_HEADERS = ['content-type', 'cache-control', 'pragma', 'www-authenticate', 'retry-after'];

/** What a step got back. */
interface StepResult {
  status: number;
  headers: [string, string][];
  /** The parsed JSON body, or the text when it is not JSON ('' for an empty body). */
  body: unknown;
  /** The error code and description of an error answer (the JSON's, or the WWW-Authenticate challenge's). */
  error: { error: string; description: string | null } | null;
  /** Decoded JWTs of the answer, by member name (id_token, access_token). */
  jwts: [string, JwtReport][];
  /** A network failure (no HTTP answer). */
  failure?: string;
  /** What the playground knows about this answer beyond it (a reused code: the server revoked the first exchange's tokens). */
  note?: string;
}

interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** The step that obtained them. */
  from: string;
  /** The authorization code they descend from (the exchange's, kept by refresh), if any. */
  code: string | null;
  /** Why they no longer work (revoked), if known. */
  revoked: string | null;
}

/** The steps whose answers are about the tokens in use (not the device authorization: its codes are not tokens). */
const TOKEN_STEPS = ['exchange', 'client_credentials', 'device_token', 'refresh', 'introspect', 'userinfo', 'revoke'];

/** A random base64url value for the OIDC nonce (16 octets). */
function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Sends `r` to this server: a form body for POST (RFC 6749 §4.1.3), no cookies (the endpoints do not read them). */
async function send(r: ResolvedRequest): Promise<Omit<StepResult, 'jwts'>> {
  try {
    const res = await fetch(r.url, {
      method: r.method,
      headers: Object.fromEntries(r.headers),
      body: r.method === 'POST' ? new URLSearchParams(r.params) : undefined,
      credentials: 'omit',
      cache: 'no-store',
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : '';
    } catch {
      body = text;
    }
    const headers = SHOWN_HEADERS.flatMap((h): [string, string][] => (res.headers.get(h) ? [[h, res.headers.get(h)!]] : []));
    const b = body as Record<string, unknown> | null;
    const error =
      b && typeof b === 'object' && typeof b.error === 'string'
        ? { error: b.error, description: typeof b.error_description === 'string' ? b.error_description : null }
        : challengeError(res.headers.get('www-authenticate'));
    return { status: res.status, headers, body, error };
  } catch (e) {
    return { status: 0, headers: [], body: '', error: null, failure: e instanceof Error ? e.message : String(e) };
  }
}

/** A value inside prose (a code, a header): wraps anywhere rather than widen the page, never mid-word otherwise (no break-all). */
const codeClass = 'font-mono text-xs [overflow-wrap:anywhere]';
const darkBlock = 'rounded bg-slate-900 p-3 text-xs text-slate-100';

/**
 * A JSON document, URL or token as it is: one line per line, scrolled sideways inside its block at
 * 390 px (never broken mid-word). Focusable, so that the keyboard can scroll it, and named.
 */
function CodeBlock({ label, className = '', children, ...rest }: { label: string; className?: string; children: ReactNode; 'data-testid'?: string }) {
  return (
    <pre
      tabIndex={0}
      role="group"
      aria-label={label}
      className={`max-w-full overflow-x-auto whitespace-pre font-mono focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 ${className}`}
      {...rest}
    >
      {children}
    </pre>
  );
}

/** The request as it will be sent: method and URL, headers, then each parameter with its explanation. */
function RequestView({ request, query = false }: { request: ResolvedRequest; query?: boolean }) {
  const rows: [string, string, boolean][] = [
    ...request.headers.map(([k, v]): [string, string, boolean] => [k, v, false]),
    ...request.params.map(([k, v]): [string, string, boolean] => [k, v, request.secretParams.includes(k)]),
  ];
  return (
    <div className="space-y-2 rounded-lg border border-slate-200 p-3" data-testid="request">
      <div className="flex items-start gap-2 text-sm">
        <span className="mt-1 rounded bg-slate-800 px-1.5 py-0.5 font-mono text-xs font-semibold text-white">{request.method}</span>
        <CodeBlock label={`${request.method} ${request.endpoint} URL`} className="min-w-0 flex-1 rounded bg-white px-2 py-1 text-xs text-slate-900 ring-1 ring-slate-200" data-testid="request-url">
          {request.url}
        </CodeBlock>
      </div>
      <dl className="space-y-2 text-sm">
        {rows.map(([name, value, secret], i) => {
          const ex = explainParameter(name, { endpoint: request.endpoint, value });
          const kind = i < request.headers.length ? 'header' : query ? 'query' : 'body';
          return (
            <div key={`${kind}-${name}`} className="rounded bg-slate-50 px-2 py-1.5" data-testid={`param-${name}`}>
              <dt className="font-mono text-xs font-semibold text-slate-900">
                {name} <span className="font-sans font-normal text-slate-500">({kind})</span>
              </dt>
              <dd className="space-y-1">
                {secret ? (
                  <p className={`${codeClass} text-slate-800`}>{value ? '•••••••• (the secret you typed; not shown)' : '(empty: type the secret above)'}</p>
                ) : (
                  <CodeBlock label={`${name} value`} className="text-xs text-slate-800">
                    {value}
                  </CodeBlock>
                )}
                {ex ? (
                  <p className="text-xs text-slate-600">
                    {ex.text}{' '}
                    <a href={ex.href} target="_blank" rel="noopener noreferrer" className="text-indigo-700 underline">
                      {ex.section}
                    </a>
                  </p>
                ) : null}
              </dd>
            </div>
          );
        })}
      </dl>
    </div>
  );
}

/** One explanation of the table as a sentence with its RFC link. */
function ExplainedLine({ ex, ...rest }: { ex: ParameterExplanation | null; 'data-testid'?: string }) {
  if (!ex) return null;
  return (
    <p {...rest}>
      {ex.text}{' '}
      <a href={ex.href} target="_blank" rel="noopener noreferrer" className="text-indigo-700 underline">
        {ex.section}
      </a>
    </p>
  );
}

const CHECK_MARK: Record<string, string> = { true: '✓ passed', false: '✗ failed', null: '– not checked' };

/** A decoded JWT: its checks, header and claims. */
function JwtView({ name, report }: { name: string; report: JwtReport }) {
  return (
    <div className="space-y-2 rounded-lg border border-slate-200 p-3" data-testid={`jwt-${name}`}>
      <h4 className="text-sm font-semibold text-slate-900">{name} (a JWT), decoded and checked</h4>
      <ul className="space-y-1 text-sm">
        {report.checks.map((c) => (
          <li key={c.name} data-testid={`check-${c.name}`} data-ok={String(c.ok)} className={c.ok === true ? 'text-emerald-800' : c.ok === false ? 'text-red-800' : 'text-slate-700'}>
            <span className="font-mono font-semibold">{c.name}</span>: {CHECK_MARK[String(c.ok)]}. <span className="text-slate-700">{c.detail}</span>
          </li>
        ))}
      </ul>
      <p className="text-xs font-medium text-slate-700">Header</p>
      <CodeBlock label={`${name} header (JSON)`} className={darkBlock}>
        {JSON.stringify(report.header, null, 2)}
      </CodeBlock>
      <p className="text-xs font-medium text-slate-700">Claims</p>
      <CodeBlock label={`${name} claims (JSON)`} className={darkBlock} data-testid={`claims-${name}`}>
        {JSON.stringify(report.claims, null, 2)}
      </CodeBlock>
    </div>
  );
}

/** An error answer explained (the catalogue's entry for this endpoint and cause). */
function ErrorExplanationView({ place, error }: { place: ErrorPlace; error: { error: string; description: string | null } }) {
  const ex = explainError(place, error.error, error.description);
  return (
    <div className="space-y-1 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950" data-testid="error-explanation">
      <p>
        <span className="font-mono font-semibold">{error.error}</span>
        {error.description ? `: ${error.description}` : ''}
      </p>
      {ex ? (
        <>
          <p>
            <span className="font-semibold">What it means: </span>
            {ex.meaning}
          </p>
          <p>
            <span className="font-semibold">Likely fix: </span>
            {ex.fix}
          </p>
        </>
      ) : (
        <p>This server does not answer this error here: read the description.</p>
      )}
    </div>
  );
}

/** The answer of a step. Its heading takes the focus when it appears (keyboard and screen-reader users land on it). */
const ResultView = forwardRef<HTMLHeadingElement, { id: string; place: ErrorPlace; result: StepResult; stale?: string; extra?: ReactNode }>(function ResultView(
  { id, place, result, stale, extra },
  ref,
) {
  const ok = result.status >= 200 && result.status < 300;
  return (
    <div className="space-y-2" data-testid={`result-${id}`}>
      <h3 ref={ref} tabIndex={-1} className="text-sm font-semibold text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400">
        Response: {result.failure ? 'no answer' : `HTTP ${result.status}`} {ok ? '(success)' : '(error)'}
      </h3>
      {stale ? (
        <p className="rounded-md border border-slate-300 bg-slate-100 px-3 py-2 text-sm text-slate-800" data-testid={`stale-${id}`}>
          <span className="font-semibold">No longer current: </span>
          {stale}
        </p>
      ) : null}
      {result.note ? (
        <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950" data-testid={`note-${id}`}>
          {result.note}
        </p>
      ) : null}
      {result.failure ? <p className="text-sm text-red-800">The request failed before an answer: {result.failure}</p> : null}
      {result.headers.length > 0 ? (
        <dl className="text-xs">
          {result.headers.map(([k, v]) => (
            <div key={k} className="[overflow-wrap:anywhere]">
              <dt className="inline font-mono font-semibold">{k}: </dt>
              <dd className="inline font-mono">{v}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {result.error ? <ErrorExplanationView place={place} error={result.error} /> : null}
      {result.body !== '' ? (
        <CodeBlock label={`${id.replace(/_/g, ' ')} response body`} className={`${darkBlock} rounded-lg`} data-testid={`body-${id}`}>
          {typeof result.body === 'string' ? result.body : JSON.stringify(result.body, null, 2)}
        </CodeBlock>
      ) : (
        <p className="text-xs text-slate-600">Empty body.</p>
      )}
      {extra}
      {result.jwts.map(([name, report]) => (
        <JwtView key={name} name={name} report={report} />
      ))}
    </div>
  );
});

/** One step: what it does, its request, Send and Copy as curl, the progress, the answer. */
function Step({
  id,
  title,
  intro,
  request,
  query,
  curl,
  copyLabel,
  sendLabel,
  onSend,
  disabled,
  running,
  progress,
  place,
  result,
  stale,
  extra,
  children,
}: {
  id: string;
  title: string;
  intro: ReactNode;
  request: ResolvedRequest;
  query?: boolean;
  curl: string;
  /** The copy button's words, unique on the page ("Copy the exchange as curl"). */
  copyLabel: string;
  sendLabel: string;
  onSend: () => void;
  disabled?: string | null;
  running: boolean;
  progress?: string;
  place: ErrorPlace;
  result: StepResult | null;
  /** Why the answer is no longer current (a later step changed the tokens), if so. */
  stale?: string;
  extra?: ReactNode;
  children?: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  // The answer takes the focus once the step is done (not at each poll of the device flow).
  useEffect(() => {
    if (result && !running) heading.current?.focus();
  }, [result, running]);
  return (
    <section aria-labelledby={`step-${id}-title`} className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6" data-testid={`step-${id}`}>
      <h2 id={`step-${id}-title`} className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      <div className="text-sm text-slate-700">{intro}</div>
      <RequestView request={request} query={query} />
      <div className="flex flex-wrap items-center gap-3">
        <Button type="button" onClick={onSend} disabled={Boolean(disabled) || running}>
          {sendLabel}
        </Button>
        <CopyButton text={curl} label={copyLabel} />
      </div>
      {disabled ? <p className="text-xs text-slate-600">{disabled}</p> : null}
      <p role="status" aria-live="polite" className="text-sm text-indigo-800" data-testid={`progress-${id}`}>
        {running ? (progress ?? 'Sending…') : (progress ?? '')}
      </p>
      {children}
      {result ? <ResultView ref={heading} id={id} place={place} result={result} stale={stale} extra={extra} /> : null}
    </section>
  );
}

/** A step's name in prose ("device token"). */
const stepName = (id: string) => id.replace(/_/g, ' ');

/** The device authorization answer (RFC 8628 §3.2). */
interface DeviceStart {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  interval: number;
}

/**
 * @param app the application (what lib/apps/snippets.ts needs of it)
 * @param issuer ISSUER: every URL is built on it
 * @param server the scopes of the requests
 * @param callbackUrl the playground's callback (lib/apps/playground.ts)
 * @param callbackRegistered whether it is one of the application's redirect URIs
 */
export function Playground({
  app,
  issuer,
  server,
  callbackUrl,
  callbackRegistered,
}: {
  app: SnippetApp;
  issuer: string;
  server: ServerScopes;
  callbackUrl: string;
  callbackRegistered: boolean;
}) {
  const snippets = useMemo(() => connectSnippets(app, issuer, server), [app, issuer, server]);
  const { plan } = snippets;
  const confidential = app.clientType === 'confidential';
  const openid = plan.userScope.split(' ').includes('openid');
  // The secret stays in the input (uncontrolled): only whether one is typed is state, for the request views.
  const secretInput = useRef<HTMLInputElement>(null);
  const [secretTyped, setSecretTyped] = useState(false);
  const readSecret = () => secretInput.current?.value ?? '';
  const [pkce, setPkce] = useState<(PkceValues & { nonce: string }) | null>(null);
  const [pkceError, setPkceError] = useState<string | null>(null);
  const [callback, setCallback] = useState<CallbackReading | null>(null);
  const [waiting, setWaiting] = useState(false);
  const [tokens, setTokens] = useState<Tokens | null>(null);
  const [results, setResults] = useState<Record<string, StepResult>>({});
  /** Why a step's answer is no longer current, by step. */
  const [stale, setStale] = useState<Record<string, string>>({});
  const [running, setRunning] = useState<string | null>(null);
  const [device, setDevice] = useState<DeviceStart | null>(null);
  const [pollProgress, setPollProgress] = useState('');
  const stopPolling = useRef(false);
  const jwks = useRef<JSONWebKeySet | null>(null);
  /** The codes this page exchanged successfully: a second exchange of one is a replay (RFC 6749 §4.1.2). */
  const exchangedCodes = useRef(new Set<string>());
  const callbackHeading = useRef<HTMLHeadingElement>(null);

  const renew = useCallback(async () => {
    try {
      setPkce({ ...(await newPkceValues()), nonce: randomNonce() });
      setCallback(null);
    } catch (e) {
      setPkceError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void renew();
  }, [renew]);

  // The callback tab posts the authorization response; only the one with our state is taken.
  useEffect(() => {
    if (!pkce || typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(PLAYGROUND_CHANNEL);
    channel.onmessage = (ev: MessageEvent) => {
      const reading = readCallbackMessage(ev.data, { state: pkce.state, issuer });
      if (!reading || (!reading.ok && !reading.ours)) return;
      // Ours: tell the callback tab it arrived (it says so only then, and closes).
      const id = (ev.data as { id?: unknown }).id;
      if (typeof id === 'string') channel.postMessage(callbackAck(id));
      setCallback(reading);
      setWaiting(false);
    };
    return () => channel.close();
  }, [pkce, issuer]);
  useEffect(() => {
    if (callback) callbackHeading.current?.focus();
  }, [callback]);

  const inputs = {
    code: callback?.ok ? callback.code : null,
    pkce,
    tokens: tokens ? { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken } : null,
    redirectUri: callbackUrl,
    deviceCode: device?.deviceCode ?? null,
  };
  /** The request as shown: a secret parameter is only "typed" or "empty" (RequestView never shows it). */
  const resolved = (call: StepRequest) => snippets.resolveRequest(call, secretTyped ? '•' : '');

  async function keys(): Promise<JSONWebKeySet | null> {
    if (jwks.current) return jwks.current;
    try {
      jwks.current = (await (await fetch(urlFor('jwks', issuer), { credentials: 'omit' })).json()) as JSONWebKeySet;
    } catch {
      jwks.current = null;
    }
    return jwks.current;
  }

  /** Decodes and checks the JWTs of a token answer (RFC 6749 §5.1; OIDC Core §3.1.3.3). */
  async function jwtsOf(body: unknown, nonce: string | undefined): Promise<[string, JwtReport][]> {
    const b = body as Record<string, unknown>;
    const out: [string, JwtReport][] = [];
    const access = typeof b?.access_token === 'string' ? b.access_token : undefined;
    if (typeof b?.id_token === 'string') {
      const r = await checkJwt(b.id_token, { issuer, clientId: app.clientId, nonce, accessToken: access, jwks: await keys(), secret: readSecret() });
      if (r) out.push(['id_token', r]);
    }
    if (access && looksLikeJwt(access)) {
      const r = await checkJwt(access, { issuer, clientId: null, jwks: await keys(), secret: readSecret() });
      if (r) out.push(['access_token', r]);
    }
    return out;
  }

  /** Sends step `id`'s request; a token answer becomes the tokens of the next steps. */
  async function run(id: string, call: StepRequest, opts: { tokens?: boolean; nonce?: string; keepRunning?: boolean; code?: string } = {}): Promise<StepResult> {
    setRunning(id);
    const r = await send(snippets.resolveRequest(call, readSecret()));
    const ok = r.status >= 200 && r.status < 300;
    const result: StepResult = { ...r, jwts: ok && opts.tokens ? await jwtsOf(r.body, opts.nonce) : [] };
    // What this answer changes about the tokens in use: the earlier answers about them become stale.
    let changed: string | null = null;
    if (ok && opts.tokens) {
      const b = r.body as Record<string, unknown>;
      if (typeof b.access_token === 'string') {
        setTokens({
          accessToken: b.access_token,
          refreshToken: typeof b.refresh_token === 'string' ? b.refresh_token : null,
          idToken: typeof b.id_token === 'string' ? b.id_token : null,
          from: id,
          // Refresh keeps the lineage: a replayed code revokes the tokens refreshed from it too (RFC 6749 §4.1.2).
          code: opts.code ?? (id === 'refresh' ? (tokens?.code ?? null) : null),
          revoked: null,
        });
        if (opts.code) exchangedCodes.current.add(opts.code);
        changed =
          id === 'refresh'
            ? 'the refresh after it rotated the tokens (the refresh token before it no longer works).'
            : `new tokens, from “${stepName(id)}”, are in use since.`;
      }
    }
    if (ok && id === 'revoke') {
      const reason = 'revoked by “Revoke the tokens”.';
      setTokens((t) => (t ? { ...t, revoked: reason } : t));
      changed = 'the tokens were revoked after it.';
    }
    // RFC 6749 §4.1.2: a code exchanged a second time is refused, and the server revokes the tokens of its first exchange.
    if (!ok && id === 'exchange' && r.error?.error === 'invalid_grant' && opts.code && exchangedCodes.current.has(opts.code)) {
      const reason = 'revoked by the server: their authorization code was exchanged a second time (RFC 6749 §4.1.2).';
      result.note =
        'This code was already exchanged above. A code works once: the server refused it and revoked the tokens of its first exchange (and those refreshed from them). Sign in again for a new code.';
      setTokens((t) => (t && t.code === opts.code ? { ...t, revoked: reason } : t));
      changed = 'the server revoked those tokens after it: their code was exchanged again.';
    }
    setResults((all) => ({ ...all, [id]: result }));
    // Apart from the results: a step's answer takes the focus when it changes, a stale mark must not.
    setStale((all) => {
      const next = { ...all };
      delete next[id];
      if (changed) for (const k of TOKEN_STEPS) if (k !== id) next[k] = changed;
      return next;
    });
    if (!opts.keepRunning) setRunning(null);
    return result;
  }

  function openAuthorization() {
    if (!pkce) return;
    setCallback(null);
    setWaiting(true);
    window.open(snippets.authorizeUrl(pkce, { redirectUri: callbackUrl, nonce: openid ? pkce.nonce : undefined }), '_blank', 'noopener');
  }

  async function startDevice() {
    const r = await run('device_authorization', snippets.request('device_authorization', inputs));
    const b = r.body as Record<string, unknown>;
    if (r.status === 200 && typeof b.device_code === 'string' && typeof b.user_code === 'string') {
      setDevice({
        deviceCode: b.device_code,
        userCode: b.user_code,
        verificationUri: String(b.verification_uri ?? ''),
        verificationUriComplete: typeof b.verification_uri_complete === 'string' ? b.verification_uri_complete : null,
        interval: typeof b.interval === 'number' ? b.interval : 5,
      });
    }
  }

  /** RFC 8628 §3.4–§3.5: poll every `interval` seconds, 5 more after slow_down, until an answer that is not authorization_pending. */
  async function pollDevice() {
    if (!device) return;
    stopPolling.current = false;
    let interval = device.interval;
    for (let attempt = 1; ; attempt++) {
      setPollProgress(`Poll ${attempt}: asking the token endpoint…`);
      const r = await run('device_token', snippets.request('device_token', inputs), { tokens: true, keepRunning: true });
      const error = r.error?.error;
      if (error !== 'authorization_pending' && error !== 'slow_down') break;
      if (error === 'slow_down') interval += 5;
      setPollProgress(`Poll ${attempt}: ${error}. Next poll in ${interval} s (approve the code in the other tab).`);
      await new Promise((resolve) => setTimeout(resolve, interval * 1000));
      if (stopPolling.current) {
        setPollProgress('Polling stopped.');
        break;
      }
    }
    setRunning(null);
    setPollProgress((p) => (p === 'Polling stopped.' ? p : 'Polling ended: see the answer.'));
  }

  const tokenNeeded = tokens ? null : 'Get tokens first: run one of the steps above.';
  const deviceUrl = device ? (device.verificationUriComplete ?? device.verificationUri) : null;

  // What proves the revocation depends on how this application introspects (RFC 7662 §2.1): with
  // its own credentials it still can, and sees active: false; a public one authorizes introspection
  // with the very token it revoked, so the endpoint now refuses it, and that refusal is the proof.
  const revokeFollowUp = !plan.commands.includes('introspect')
    ? 'Revoked: the tokens no longer work (an API that checks them now refuses them).'
    : confidential
      ? 'Revoked: introspect again to see active: false (this application introspects with its own credentials, which still work).'
      : 'Revoked: introspecting this token can no longer work, because this public application authorizes introspection with the very token it revoked: the endpoint now answers 401 invalid_token, and that refusal is the proof.';

  // RFC 7662 §2.1: what authorizes the introspection request, from the explanation table.
  const introspectionAuth = explainParameter(confidential ? 'client_secret' : 'Authorization', { endpoint: 'introspection' });

  const hasAnyTokens = plan.commands.some((k) => k === 'exchange' || k === 'client_credentials' || k === 'device');

  return (
    <div className="space-y-6" data-testid="playground">
      {confidential ? (
        <section aria-labelledby="secret-title" className="space-y-2 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
          <h2 id="secret-title" className="text-lg font-semibold text-slate-900">
            Your client secret
          </h2>
          <label htmlFor="playground-secret" className="block text-sm font-medium text-slate-700">
            Client secret
          </label>
          <input
            id="playground-secret"
            type="password"
            ref={secretInput}
            autoComplete="new-password"
            spellCheck={false}
            onChange={(e) => setSecretTyped(e.target.value !== '')}
            aria-describedby="playground-secret-hint"
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200"
          />
          <p id="playground-secret-hint" className="text-xs text-slate-600">
            The one shown when the application was registered or its secret regenerated. It stays in this field only and is not saved (the browser is asked not to store it either): sent to this server’s
            endpoints as client_secret, never stored, never in the address, never in the curl commands (they read {'$CLIENT_SECRET'}). Reloading the page
            forgets it.
          </p>
        </section>
      ) : null}

      {!hasAnyTokens ? <p className="text-sm text-slate-700">This application has no grant the playground can run: enable one (Edit).</p> : null}

      {plan.codeFlow && pkce ? (
        <Step
          id="authorize"
          copyLabel="Copy the authorization URL"
          title="1. Sign a user in: the authorization request"
          intro={
            <p>
              Opens in a new tab: log in and authorize there. The server then sends that tab to the playground’s callback, which hands the code back to
              this page and closes. This page checks the state it sent (and keeps the PKCE verifier{openid ? ' and the nonce' : ''}).
            </p>
          }
          request={{ endpoint: 'authorization', method: 'GET', url: urlFor('authorization', issuer), headers: [], params: snippets.authorizeParams(pkce, { redirectUri: callbackUrl, nonce: openid ? pkce.nonce : undefined }), secretParams: [] }}
          query
          curl={snippets.authorizeUrl(pkce, { redirectUri: callbackUrl, nonce: openid ? pkce.nonce : undefined })}
          sendLabel="Open the authorization request in a new tab"
          onSend={openAuthorization}
          disabled={callbackRegistered ? null : 'Add the playground’s callback to the application first (above).'}
          running={false}
          progress={waiting && !callback ? 'Waiting for the authorization response from the other tab…' : undefined}
          place="callback"
          result={null}
        >
          <div className="flex flex-wrap gap-3">
            <Button type="button" variant="secondary" onClick={renew}>
              New PKCE values, state and nonce
            </Button>
          </div>
          {pkceError ? (
            <p role="alert" className="text-sm text-red-700">
              {pkceError}
            </p>
          ) : null}
          {callback ? (
            <div className="space-y-2" data-testid="callback-result">
              <h3 ref={callbackHeading} tabIndex={-1} className="text-sm font-semibold text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400">
                Authorization response: {callback.ok ? 'a code, with the state this page sent' : 'an error'}
              </h3>
              {callback.ok ? (
                <p className="text-sm">
                  code <code className={codeClass} data-testid="authorization-code">{callback.code}</code>: exchange it below (it works once, for a few minutes).
                </p>
              ) : (
                <ErrorExplanationView place="callback" error={{ error: callback.error, description: callback.description }} />
              )}
            </div>
          ) : null}
        </Step>
      ) : null}

      {plan.codeFlow && pkce ? (
        <Step
          id="exchange"
          copyLabel="Copy the exchange as curl"
          title="2. Exchange the code for tokens"
          intro={<p>The token request of the code flow: the code, the same redirect_uri, and the PKCE verifier that proves this page started the sign-in.</p>}
          request={resolved(snippets.request('exchange', inputs))}
          curl={snippets.curl(snippets.request('exchange', inputs))}
          sendLabel="Exchange the code"
          onSend={() => void run('exchange', snippets.request('exchange', inputs), { tokens: true, nonce: openid ? pkce.nonce : undefined, code: inputs.code ?? undefined })}
          disabled={callback?.ok ? null : 'Run the authorization request first: its code goes here.'}
          running={running === 'exchange'}
          place="token"
          result={results.exchange ?? null}
          stale={stale.exchange}
        />
      ) : null}

      {plan.commands.includes('client_credentials') ? (
        <Step
          id="client_credentials"
          copyLabel="Copy client credentials as curl"
          title="Client credentials: a token for the application itself"
          intro={<p>No user: the application authenticates with its secret and gets an access token (no refresh token, no ID token).</p>}
          request={resolved(snippets.request('client_credentials', inputs))}
          curl={snippets.curl(snippets.request('client_credentials', inputs))}
          sendLabel="Request a client credentials token"
          onSend={() => void run('client_credentials', snippets.request('client_credentials', inputs), { tokens: true })}
          running={running === 'client_credentials'}
          place="token"
          result={results.client_credentials ?? null}
          stale={stale.client_credentials}
        />
      ) : null}

      {plan.commands.includes('device') ? (
        <>
          <Step
            id="device_authorization"
          copyLabel="Copy the device request as curl"
            title="Device code: start on the device"
            intro={<p>As a TV or a command-line tool does: ask for a device code and a user code, then show the user where to approve it.</p>}
            request={resolved(snippets.request('device_authorization', inputs))}
            curl={snippets.curl(snippets.request('device_authorization', inputs))}
            sendLabel="Request a device code"
            onSend={() => void startDevice()}
            running={running === 'device_authorization'}
            place="device_authorization"
            result={results.device_authorization ?? null}
            stale={stale.device_authorization}
            extra={
              device && deviceUrl ? (
                <p className="text-sm" data-testid="device-instructions">
                  Open{' '}
                  <a href={deviceUrl} target="_blank" rel="noopener noreferrer" className="text-indigo-700 underline [overflow-wrap:anywhere]">
                    {device.verificationUri}
                  </a>{' '}
                  and enter the code <strong className="font-mono text-base" data-testid="user-code">{device.userCode}</strong>, then poll below.
                </p>
              ) : null
            }
          />
          <Step
            id="device_token"
          copyLabel="Copy the poll as curl"
            title="Device code: poll for the tokens"
            intro={<p>The device asks every interval seconds; the answer is authorization_pending until the user approves (slow_down adds 5 seconds).</p>}
            request={resolved(snippets.request('device_token', inputs))}
            curl={snippets.curl(snippets.request('device_token', inputs))}
            sendLabel="Poll until approved"
            onSend={() => void pollDevice()}
            disabled={device ? null : 'Request a device code first.'}
            running={running === 'device_token'}
            progress={pollProgress || undefined}
            place="token"
            result={results.device_token ?? null}
            stale={stale.device_token}
          >
            {running === 'device_token' ? (
              <Button type="button" variant="secondary" onClick={() => (stopPolling.current = true)}>
                Stop polling
              </Button>
            ) : null}
          </Step>
        </>
      ) : null}

      {tokens ? (
        <p
          className={`rounded-md px-3 py-2 text-sm ${tokens.revoked ? 'border border-amber-300 bg-amber-50 text-amber-950' : 'bg-emerald-50 text-emerald-900'}`}
          data-testid="tokens-in-use"
        >
          The steps below use the tokens from “{stepName(tokens.from)}”{tokens.refreshToken ? ' (with a refresh token)' : ''}
          {tokens.revoked
            ? `, ${tokens.revoked} They no longer work: the steps below now show what a revoked token gets. Get new tokens above to start again.`
            : '.'}
        </p>
      ) : null}

      {plan.commands.includes('refresh') ? (
        <Step
          id="refresh"
          copyLabel="Copy the refresh as curl"
          title="Refresh the tokens"
          intro={<p>New tokens without the user. This server rotates the refresh token: the answer’s replaces the old one, which stops working.</p>}
          request={resolved(snippets.request('refresh', inputs))}
          curl={snippets.curl(snippets.request('refresh', inputs))}
          sendLabel="Refresh the tokens"
          onSend={() => void run('refresh', snippets.request('refresh', inputs), { tokens: true })}
          disabled={tokens?.refreshToken ? null : 'Needs a refresh token: from the code flow or the device flow.'}
          running={running === 'refresh'}
          place="token"
          result={results.refresh ?? null}
          stale={stale.refresh}
        />
      ) : null}

      {plan.commands.includes('introspect') ? (
        <Step
          id="introspect"
          copyLabel="Copy the introspection as curl"
          title="Introspect the access token"
          intro={
            <>
              <p>Whether the access token is active, and for whom and what: as an API asks.</p>
              <ExplainedLine data-testid="introspect-authorization" ex={introspectionAuth} />
            </>
          }
          request={resolved(snippets.request('introspect', inputs))}
          curl={snippets.curl(snippets.request('introspect', inputs))}
          sendLabel="Introspect the access token"
          onSend={() => void run('introspect', snippets.request('introspect', inputs))}
          disabled={tokenNeeded}
          running={running === 'introspect'}
          place="introspection"
          result={results.introspect ?? null}
          stale={stale.introspect}
        />
      ) : null}

      {plan.commands.includes('userinfo') ? (
        <Step
          id="userinfo"
          copyLabel="Copy the UserInfo request as curl"
          title="UserInfo: who signed in"
          intro={<p>The signed-in user’s claims, with the access token of a sign-in that asked for openid.</p>}
          request={resolved(snippets.request('userinfo', inputs))}
          curl={snippets.curl(snippets.request('userinfo', inputs))}
          sendLabel="Ask UserInfo"
          onSend={() => void run('userinfo', snippets.request('userinfo', inputs))}
          disabled={tokenNeeded}
          running={running === 'userinfo'}
          place="userinfo"
          result={results.userinfo ?? null}
          stale={stale.userinfo}
        />
      ) : null}

      {plan.commands.includes('revoke') ? (
        <Step
          id="revoke"
          copyLabel="Copy the revocation as curl"
          title="Revoke the tokens"
          intro={<p>Revoking the refresh token ends the whole sign-in (its access tokens too); without one, the access token. The answer is an empty HTTP 200, even for an unknown token.</p>}
          request={resolved(snippets.request('revoke', inputs))}
          curl={snippets.curl(snippets.request('revoke', inputs))}
          sendLabel="Revoke the tokens"
          onSend={() => void run('revoke', snippets.request('revoke', inputs))}
          disabled={tokenNeeded}
          running={running === 'revoke'}
          place="revocation"
          result={results.revoke ?? null}
          stale={stale.revoke}
          extra={
            results.revoke?.status === 200 && !stale.revoke ? (
              <p className="text-sm text-slate-700" data-testid="revoke-followup">
                {revokeFollowUp}
              </p>
            ) : null
          }
        />
      ) : null}
    </div>
  );
}
