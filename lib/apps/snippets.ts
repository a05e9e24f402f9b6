// The Connect panel's snippets (app/o/applications/_components/connect-panel.tsx): for every grant an
// application has, and only those, a curl command (bash) and a Node.js fetch() script that run as
// copied against this server; for a public client with the authorization code grant, the browser
// fetch() of a single-page app. Pure (no React, no settings, no Node.js): the panel runs it in the
// browser with the values it makes (PKCE, state) and those the user pastes (the callback URL, a
// token response), so each snippet carries everything it needs but the client secret.
//
// Staff see other users' applications, and a redirect URI may hold "$(…)" or quotes: every value is
// quoted for the language of its snippet (POSIX shell single quotes, JavaScript string literals),
// so pasting a snippet never runs anything but the command shown. The client secret is never in a
// snippet: commands read it from the CLIENT_SECRET environment variable (SECRET_SETUP sets it).
import { canonicalOrigin } from '../canonical';
import {
  GRANT_AUTHORIZATION_CODE,
  GRANT_CLIENT_CREDENTIALS,
  GRANT_DEVICE_CODE,
  GRANT_REFRESH_TOKEN,
  GRANT_CATALOGUE,
  describeGrant,
} from '../oauth/grants/catalogue';
import { urlFor, type EndpointName } from '../oauth/paths';

/** What the snippets need of an application (a subset of ApplicationView, lib/db/queries/applications.ts). */
export interface SnippetApp {
  clientId: string;
  clientType: 'confidential' | 'public';
  redirectUris: readonly string[];
  grantTypes: readonly string[];
  /** The ID token algorithm: '' (none), 'RS256' or 'HS256'. */
  algorithm: string;
  /** A secret is set (false for public clients). */
  hasSecret: boolean;
  secretHashed: boolean;
}

/**
 * What the requests may name (lib/oauth/resources.ts requestTarget): the scopes of one resource
 * that the application may request, the introspection scope's name (lib/oauth/endpoints/introspect.ts),
 * and that resource's identifier, sent as RFC 8707 `resource` when given.
 */
export interface ServerScopes {
  scopes: readonly string[];
  introspectionScope: string;
  /** RFC 8707 §2 `resource`: the identifier of the resource the tokens are for; absent: not sent (the default resource). */
  resource?: string;
}

/** Placeholders for what the user has not pasted yet (constants, written as they are). */
export const PLACEHOLDERS = {
  redirectUri: 'REDIRECT_URI',
  code: 'AUTHORIZATION_CODE',
  accessToken: 'ACCESS_TOKEN',
  refreshToken: 'REFRESH_TOKEN',
} as const;

/** The environment variable the commands read the client secret from. */
export const SECRET_VARIABLE = 'CLIENT_SECRET';

/**
 * Sets CLIENT_SECRET in a bash terminal without echoing it or writing it to the shell's history:
 * the user types or pastes the secret, then Enter. `export` hands it to `node` too.
 */
export const SECRET_SETUP = `read -rs ${SECRET_VARIABLE} && export ${SECRET_VARIABLE}`;

/** The commands of the panel, in its order: three that issue tokens, four that use them. */
export const COMMAND_KINDS = ['exchange', 'client_credentials', 'device', 'refresh', 'introspect', 'userinfo', 'revoke'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

/** curl runs in bash; node is a Node.js 18+ ES module (top-level await: save it as a .mjs file). */
export const LANGUAGES = ['curl', 'node'] as const;
export type Language = (typeof LANGUAGES)[number];

/** What the panel offers for an application: true only for what the application can use. */
export interface ConnectPlan {
  /** Authorization code with PKCE (RFC 7636): the authorize URL, the callback, the exchange. */
  codeFlow: boolean;
  /** The browser fetch() of a single-page app: a public client with `codeFlow`. */
  spa: boolean;
  /** Each command offered, in COMMAND_KINDS order. */
  commands: CommandKind[];
  /** The scope of the requests that sign a user in (authorize URL, device): `openid` when the tokens can be used at UserInfo. */
  userScope: string;
  /** The scope of client credentials (never `openid`: there is no user). */
  clientScope: string;
  /** RFC 8707 §2: the resource the authorization, device and client credentials requests name, or null (none sent). */
  resource: string | null;
  /** A public client's introspection uses its own access token, which then needs the introspection scope (in `userScope`). */
  introspectsWithBearer: boolean;
  /** The requests authenticate with the client secret (client_secret_post, from $CLIENT_SECRET). */
  usesSecret: boolean;
  /** The endpoints the snippets call, in the panel's order. */
  endpoints: EndpointName[];
  /** The redirect URI the authorization request names: the first registered one, or null. */
  callback: string | null;
  /** The callback's origin when it is http(s): the one a single-page app lists in Allowed origins. */
  callbackOrigin: string | null;
  /** Labels of grants the application has for which the panel has no snippet (deprecated ones). */
  withoutSnippets: string[];
}

/** RFC 7636 §4.1 code_verifier, §4.2 S256 code_challenge, and the RFC 6749 §10.12 state, made in the page. */
export interface PkceValues {
  verifier: string;
  challenge: string;
  state: string;
}

/** The tokens of a pasted token response (RFC 6749 §5.1). */
export interface PastedTokens {
  accessToken: string;
  refreshToken: string | null;
}

/** What the user supplied so far; null fields become placeholders. */
export interface SnippetInputs {
  code: string | null;
  pkce: PkceValues | null;
  tokens: PastedTokens | null;
  /** The redirect URI of the authorization request, when not the application's first one (the playground's callback). */
  redirectUri?: string;
  /** RFC 8628 §3.2 device_code, for the `device_token` request (the playground's polling). */
  deviceCode?: string | null;
}

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

const has = (app: SnippetApp, grant: string) =>
  app.grantTypes.includes(grant) && (app.clientType === 'confidential' || describeGrant(grant)?.publicClients === true);

/**
 * Whether `openid` tokens can be issued to `app` (signIdToken, lib/oauth/oidc/id-token.ts): only
 * with an ID token algorithm. RS256 always; HS256 signs with the plain secret, so an app without
 * one, or with a hashed one, is refused (hs256Problem); no algorithm ('') means no ID token at all.
 * The one rule for the Connect panel and the playground: no `openid`, no nonce, no UserInfo without it.
 */
export const idTokenPossible = (app: Pick<SnippetApp, 'algorithm' | 'clientType' | 'hasSecret' | 'secretHashed'>) =>
  app.algorithm === 'RS256' || (app.algorithm === 'HS256' && app.clientType === 'confidential' && app.hasSecret && !app.secretHashed);

/**
 * What the Connect panel offers `app`: the grants it has (and may use as its client type), and
 * the token requests that follow. UserInfo only when a user signs in (code or device) and an ID
 * token is possible; introspection for a confidential client, or for a public one through its own
 * token's introspection scope (RFC 7662 §2.1: the endpoint requires authorization).
 *
 * @param server the scopes this server knows (env().SCOPES) and the introspection scope's name
 */
export function connectPlan(app: SnippetApp, server: ServerScopes): ConnectPlan {
  const confidential = app.clientType === 'confidential';
  const codeFlow = has(app, GRANT_AUTHORIZATION_CODE);
  const device = has(app, GRANT_DEVICE_CODE);
  const clientCredentials = has(app, GRANT_CLIENT_CREDENTIALS);
  const userGrant = codeFlow || device;
  const anyTokens = userGrant || clientCredentials;
  const openid = userGrant && idTokenPossible(app);
  // RFC 6749 §4.4.3 and the grants (lib/oauth/grants/): only a user's grant comes with a refresh token.
  const refresh = userGrant && has(app, GRANT_REFRESH_TOKEN);
  const introspectsWithBearer = !confidential && userGrant && server.scopes.includes(server.introspectionScope);
  const introspect = anyTokens && (confidential || introspectsWithBearer);
  const apiScope = server.scopes.includes('read') ? 'read' : (server.scopes[0] ?? '');
  const userScope = [openid ? 'openid' : '', apiScope, introspectsWithBearer ? server.introspectionScope : ''].filter(Boolean).join(' ');

  const offered: Record<CommandKind, boolean> = {
    exchange: codeFlow,
    client_credentials: clientCredentials,
    device,
    refresh,
    introspect,
    userinfo: openid,
    revoke: anyTokens,
  };
  const commands = COMMAND_KINDS.filter((k) => offered[k]);
  const endpoints = (
    [
      ['authorization', codeFlow],
      ['token', anyTokens],
      ['device_authorization', device],
      ['introspection', introspect],
      ['userinfo', openid],
      ['revocation', anyTokens],
    ] as const
  )
    .filter(([, on]) => on)
    .map(([name]): EndpointName => name);
  const callback = app.redirectUris[0] ?? null;
  const covered = new Set<string>([GRANT_AUTHORIZATION_CODE, GRANT_CLIENT_CREDENTIALS, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN]);
  return {
    codeFlow,
    spa: codeFlow && !confidential,
    commands,
    userScope,
    clientScope: apiScope,
    resource: server.resource ?? null,
    introspectsWithBearer,
    usesSecret: confidential,
    endpoints,
    callback,
    callbackOrigin: callback ? canonicalOrigin(originOf(callback)) : null,
    withoutSnippets: GRANT_CATALOGUE.filter((g) => app.grantTypes.includes(g.type) && !covered.has(g.type)).map((g) => g.label),
  };
}

// --- Requests, described once and written in each language -------------------------------------

/**
 * A value of a request: a literal, or an expression of the snippet (its bash expansion, e.g.
 * "$DEVICE_CODE", and its JavaScript). `secret` marks the client secret: the snippets read it from
 * $CLIENT_SECRET, the playground puts in the one typed into the page (resolveRequest).
 */
export type RequestValue = string | { shell: string; js: string; secret?: true };
type Value = RequestValue;

/**
 * One step's request, described once: the snippets write it in curl and Node.js, the playground
 * (app/o/applications/_components/playground.tsx) sends it. `form` is open: a step may carry more
 * parameters (RFC 8707 `resource`) without a change here.
 */
export interface StepRequest {
  endpoint: EndpointName;
  method: 'GET' | 'POST';
  /** RFC 6749 §2.3.1 client_secret_post for a confidential client, §2.2 client_id for a public one; or an RFC 6750 §2.1 bearer token. */
  auth: 'client' | { bearer: Value };
  /** The body's parameters (application/x-www-form-urlencoded), in order; the client's identification is added by formOf. */
  form: [string, Value][];
}
type HttpCall = StepRequest;

/** The requests of the steps: the commands' and, for the device flow, its two requests one at a time. */
export const STEP_KINDS = ['exchange', 'client_credentials', 'device_authorization', 'device_token', 'refresh', 'introspect', 'userinfo', 'revoke'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** A request with every value known, as the playground sends and shows it. */
export interface ResolvedRequest {
  /** The endpoint it goes to (a parameter's meaning can depend on it: lib/apps/parameter-explanations.ts). */
  endpoint: EndpointName;
  method: 'GET' | 'POST';
  url: string;
  /** Request headers, as sent (Authorization holds a bearer token, never the client secret). */
  headers: [string, string][];
  /** The body's parameters (form-encoded when sent); empty for a GET. */
  params: [string, string][];
  /** Names of the params that hold the client secret: shown masked, never copied. */
  secretParams: string[];
}

interface Context {
  app: SnippetApp;
  issuer: string;
  plan: ConnectPlan;
}

/** RFC 8707 §2: the `resource` parameter of the plan's requests, when it names one. */
const resourceParam = (plan: ConnectPlan): [string, string][] => (plan.resource ? [['resource', plan.resource]] : []);

/** The body's parameters, the client's identification first. */
function formOf(call: HttpCall, ctx: Context): [string, Value][] {
  if (call.auth !== 'client') return call.form;
  const client: [string, Value][] = [['client_id', ctx.app.clientId]];
  // ${VAR:?message}: an unset secret stops the command with the message instead of a 401.
  if (ctx.plan.usesSecret) client.push(['client_secret', { shell: `\${${SECRET_VARIABLE}:?set it first}`, js: 'secret', secret: true }]);
  return [...call.form, ...client];
}

/** Characters that need neither shell quoting nor form encoding: `-d name=value` as it is. */
const PLAIN = /^[A-Za-z0-9._:-]+$/;

/** curl's arguments for `call`, one per line (joined with " \" continuations). */
function curlArgs(call: HttpCall, ctx: Context): string[] {
  // -sS: no progress meter when the output is piped or captured, errors still shown.
  const args = [`curl -sS ${call.method === 'POST' ? '-X POST ' : ''}${shellQuote(urlFor(call.endpoint, ctx.issuer))}`];
  if (call.auth !== 'client') {
    const b = call.auth.bearer;
    args.push(`-H ${typeof b === 'string' ? shellQuote(`Authorization: Bearer ${b}`) : `"Authorization: Bearer ${b.shell}"`}`);
  }
  for (const [name, v] of formOf(call, ctx)) {
    if (typeof v !== 'string') args.push(`--data-urlencode "${name}=${v.shell}"`);
    else if (PLAIN.test(v)) args.push(`-d ${name}=${v}`);
    else args.push(`--data-urlencode ${shellQuote(`${name}=${v}`)}`);
  }
  return args;
}

const curlCommand = (args: string[], indent = '') => args.join(` \\\n${indent}  `);

/** A fetch() call expression for `call`, indented by `indent` after its first line. */
function nodeFetch(call: HttpCall, ctx: Context, indent = ''): string {
  const js = (v: Value) => (typeof v === 'string' ? jsString(v) : v.js);
  const lines = [`fetch(${jsString(urlFor(call.endpoint, ctx.issuer))}, {`];
  if (call.method === 'POST') lines.push(`  method: "POST",`);
  if (call.auth !== 'client') {
    const b = call.auth.bearer;
    lines.push(`  headers: { Authorization: ${typeof b === 'string' ? jsString(`Bearer ${b}`) : `"Bearer " + ${b.js}`} },`);
  }
  const form = formOf(call, ctx);
  if (form.length > 0) {
    lines.push('  body: new URLSearchParams({');
    for (const [name, v] of form) lines.push(`    ${name}: ${js(v)},`);
    lines.push('  }),');
  }
  lines.push('})');
  return lines.join(`\n${indent}`);
}

/** The Node script's first lines when `call` sends the secret: read it, or say how to set it. */
const nodeSecret = (call: HttpCall, ctx: Context) =>
  call.auth === 'client' && ctx.plan.usesSecret
    ? `const secret = process.env.${SECRET_VARIABLE};\nif (!secret) throw new Error("Set ${SECRET_VARIABLE} first: ${SECRET_SETUP}");\n`
    : '';

/** One request whose answer is printed: its JSON, or (revocation, RFC 7009 §2.2: an empty 200) its status. */
function simpleCommand(call: HttpCall, prints: 'json' | 'status', language: Language, ctx: Context): string {
  if (language === 'curl') return curlCommand([...curlArgs(call, ctx), prints === 'json' ? `-w '\\n'` : `-w 'HTTP %{http_code}\\n'`]);
  const print = prints === 'json' ? 'console.log(JSON.stringify(await res.json(), null, 2));' : 'console.log(`HTTP ${res.status}`);';
  return `${nodeSecret(call, ctx)}const res = await ${nodeFetch(call, ctx)};\n${print}`;
}

/**
 * RFC 8628 §3.1–§3.5 as a device runs it: ask for a device code, print where to approve it, then
 * poll the token endpoint every `interval` seconds (+5 on slow_down) while the answer is
 * authorization_pending; print the final answer (the tokens, or the error that ended it).
 */
function deviceCommand(language: Language, ctx: Context): string {
  const start: HttpCall = { endpoint: 'device_authorization', method: 'POST', auth: 'client', form: [['scope', ctx.plan.userScope], ...resourceParam(ctx.plan)] };
  const poll = (deviceCode: Value): HttpCall => ({
    endpoint: 'token',
    method: 'POST',
    auth: 'client',
    form: [['grant_type', GRANT_DEVICE_CODE], ['device_code', deviceCode]],
  });
  if (language === 'curl') {
    return [
      // A JSON string or number field of a one-line answer, with sed (no jq needed).
      `json_field() { printf '%s' "$1" | sed -n "s/.*\\"$2\\":\\"\\{0,1\\}\\([^\\",}]*\\).*/\\1/p"; }`,
      `DEVICE=$(${curlCommand(curlArgs(start, ctx))})`,
      'DEVICE_CODE=$(json_field "$DEVICE" device_code)',
      'INTERVAL=$(json_field "$DEVICE" interval)',
      'if [ -z "$DEVICE_CODE" ]; then',
      '  echo "$DEVICE"',
      'else',
      '  echo "Open $(json_field "$DEVICE" verification_uri_complete) in a browser and approve the code $(json_field "$DEVICE" user_code)."',
      '  while sleep "$INTERVAL"; do',
      `    TOKENS=$(${curlCommand(curlArgs(poll({ shell: '$DEVICE_CODE', js: '' }), ctx), '    ')})`,
      '    case "$TOKENS" in',
      `      *'"authorization_pending"'*) ;;`,
      `      *'"slow_down"'*) INTERVAL=$((INTERVAL + 5)) ;;`,
      '      *) echo "$TOKENS"; break ;;',
      '    esac',
      '  done',
      'fi',
    ].join('\n');
  }
  return [
    `${nodeSecret(start, ctx)}const start = await (await ${nodeFetch(start, ctx)}).json();`,
    'if (!start.device_code) throw new Error(JSON.stringify(start));',
    'console.log(`Open ${start.verification_uri_complete} in a browser and approve the code ${start.user_code}.`);',
    'let interval = start.interval;',
    'for (;;) {',
    '  await new Promise((resolve) => setTimeout(resolve, interval * 1000));',
    `  const res = await ${nodeFetch(poll({ shell: '', js: 'start.device_code' }), ctx, '  ')};`,
    '  const body = await res.json();',
    '  if (body.error === "authorization_pending") continue;',
    '  if (body.error === "slow_down") {',
    '    interval += 5;',
    '    continue;',
    '  }',
    '  console.log(JSON.stringify(body, null, 2));',
    '  break;',
    '}',
  ].join('\n');
}

/**
 * The Connect panel's snippets for `app` on the server at `issuer` (the ISSUER setting, no
 * trailing slash).
 */
export function connectSnippets(app: SnippetApp, issuer: string, server: ServerScopes) {
  const plan = connectPlan(app, server);
  const ctx: Context = { app, issuer, plan };
  const redirect = plan.callback ?? PLACEHOLDERS.redirectUri;

  /**
   * The authorization request's parameters (RFC 6749 §4.1.1) with the page's S256 challenge and
   * state (RFC 7636 §4.3: the method is sent explicitly; an omitted one means plain, refused by
   * default), and the OIDC Core §3.1.2.1 nonce when one is given.
   * @param opts.redirectUri another registered redirect URI than the first (the playground's callback)
   */
  function authorizeParams(pkce: PkceValues, opts: { redirectUri?: string; nonce?: string } = {}): [string, string][] {
    const params: [string, string][] = [
      ['response_type', 'code'],
      ['client_id', app.clientId],
      ['redirect_uri', opts.redirectUri ?? redirect],
      ['scope', plan.userScope],
      ...resourceParam(plan),
      ['state', pkce.state],
      ['code_challenge', pkce.challenge],
      ['code_challenge_method', 'S256'],
    ];
    if (opts.nonce) params.push(['nonce', opts.nonce]);
    return params;
  }

  /** The authorization URL of authorizeParams; its query is built with URLSearchParams, so every value is encoded. */
  function authorizeUrl(pkce: PkceValues, opts: { redirectUri?: string; nonce?: string } = {}): string {
    return `${urlFor('authorization', issuer)}?${new URLSearchParams(authorizeParams(pkce, opts))}`;
  }

  /**
   * The request of step `kind`, with what the user supplied (placeholders for the rest): the one
   * description the commands and the playground share.
   */
  function request(kind: StepKind, inputs: SnippetInputs): StepRequest {
    const access = inputs.tokens?.accessToken ?? PLACEHOLDERS.accessToken;
    const client = (form: [string, Value][], endpoint: EndpointName = 'token'): HttpCall => ({ endpoint, method: 'POST', auth: 'client', form });
    switch (kind) {
      case 'exchange': // RFC 6749 §4.1.3, RFC 7636 §4.5
        return client([
          ['grant_type', GRANT_AUTHORIZATION_CODE],
          ['code', inputs.code ?? PLACEHOLDERS.code],
          ['redirect_uri', inputs.redirectUri ?? redirect],
          ['code_verifier', inputs.pkce?.verifier ?? ''],
        ]);
      case 'client_credentials': // RFC 6749 §4.4.2
        return client([['grant_type', GRANT_CLIENT_CREDENTIALS], ['scope', plan.clientScope], ...resourceParam(plan)]);
      case 'device_authorization': // RFC 8628 §3.1
        return client([['scope', plan.userScope], ...resourceParam(plan)], 'device_authorization');
      case 'device_token': // RFC 8628 §3.4
        return client([['grant_type', GRANT_DEVICE_CODE], ['device_code', inputs.deviceCode ?? 'DEVICE_CODE']]);
      case 'refresh': // RFC 6749 §6
        return client([['grant_type', GRANT_REFRESH_TOKEN], ['refresh_token', inputs.tokens?.refreshToken ?? PLACEHOLDERS.refreshToken]]);
      case 'introspect': // RFC 7662 §2.1
        return { endpoint: 'introspection', method: 'POST', auth: plan.introspectsWithBearer ? { bearer: access } : 'client', form: [['token', access]] };
      case 'userinfo': // OIDC Core §5.3.1
        return { endpoint: 'userinfo', method: 'GET', auth: { bearer: access }, form: [] };
      case 'revoke': {
        // RFC 7009 §2.1: revoking the refresh token ends the whole grant; without one, the access token.
        const refreshToken = inputs.tokens ? inputs.tokens.refreshToken : plan.commands.includes('refresh') ? PLACEHOLDERS.refreshToken : null;
        const [token, hint] = refreshToken ? [refreshToken, 'refresh_token'] : [access, 'access_token'];
        return client([['token', token], ['token_type_hint', hint]], 'revocation');
      }
    }
  }

  /** The `kind` command in `language`, with what the user supplied (placeholders for the rest). */
  function command(kind: CommandKind, language: Language, inputs: SnippetInputs): string {
    if (kind === 'device') return deviceCommand(language, ctx);
    // RFC 7009 §2.2: a revocation answers an empty 200, so its command prints the status.
    return simpleCommand(request(kind, inputs), kind === 'revoke' ? 'status' : 'json', language, ctx);
  }

  /** One request as a curl command that prints its answer (the playground's "Copy as curl"); the secret stays $CLIENT_SECRET. */
  const curl = (call: StepRequest) => simpleCommand(call, 'json', 'curl', ctx);

  /**
   * `call` with every value known, as the playground sends it: the client's identification in the
   * body (client_secret_post with `secret` for a confidential client), a bearer token in the
   * Authorization header (RFC 6750 §2.1).
   * @param secret the client secret typed into the page ('' when none)
   */
  function resolveRequest(call: StepRequest, secret: string): ResolvedRequest {
    const literal = (v: Value) => (typeof v === 'string' ? v : v.secret ? secret : v.js);
    const headers: [string, string][] = [];
    if (call.auth !== 'client') headers.push(['Authorization', `Bearer ${literal(call.auth.bearer)}`]);
    const form = formOf(call, ctx);
    if (call.method === 'POST') headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    return {
      endpoint: call.endpoint,
      method: call.method,
      url: urlFor(call.endpoint, issuer),
      headers,
      params: form.map(([k, v]): [string, string] => [k, literal(v)]),
      secretParams: form.filter(([, v]) => typeof v !== 'string' && v.secret).map(([k]) => k),
    };
  }

  const s = jsString;
  /** The single-page app's sign-in (browser JavaScript): its own PKCE values, kept for the callback, then the authorization request. */
  const spaSignIn = `const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
location.assign(${s(`${urlFor('authorization', issuer)}?`)} + new URLSearchParams({
  response_type: "code",
  client_id: ${s(app.clientId)},
  redirect_uri: ${s(redirect)},
  scope: ${s(plan.userScope)},${plan.resource ? `\n  resource: ${s(plan.resource)},` : ''}
  state,
  code_challenge: challenge,
  code_challenge_method: "S256",
}));`;
  /** On the redirect URI's page: check the state, exchange the code with the kept verifier (no secret: a public client). */
  const spaCallback = `const params = new URLSearchParams(location.search);
const saved = JSON.parse(sessionStorage.getItem("pkce"));
sessionStorage.removeItem("pkce");
if (!saved || params.get("state") !== saved.state) throw new Error("state mismatch: start again");
const res = await fetch(${s(urlFor('token', issuer))}, {
  method: "POST",
  body: new URLSearchParams({
    grant_type: "authorization_code",
    code: params.get("code"),
    redirect_uri: ${s(redirect)},
    client_id: ${s(app.clientId)},
    code_verifier: saved.verifier,
  }),
});
const tokens = await res.json();
console.log(tokens); // { access_token, token_type, expires_in, refresh_token?, scope }`;

  return { plan, authorizeParams, authorizeUrl, request, resolveRequest, curl, command, spaSignIn, spaCallback };
}

export type ConnectSnippets = ReturnType<typeof connectSnippets>;

// --- What the page makes and what the user pastes ----------------------------------------------

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * Fresh PKCE values with Web Crypto: a code_verifier of 32 random octets in base64url (43
 * characters, RFC 7636 §4.1), its S256 code_challenge BASE64URL(SHA-256(verifier)) (§4.2), and a
 * state of 16 random octets (RFC 6749 §10.12).
 *
 * @param webCrypto the browser's (or Node's) `crypto`
 * @throws Error when `crypto.subtle` is missing: browsers offer it only in a secure context
 *   (https, or http on localhost)
 */
export async function newPkceValues(webCrypto: Crypto = globalThis.crypto): Promise<PkceValues> {
  if (!webCrypto?.subtle) throw new Error('Web Crypto is not available here: open this page over https or on localhost.');
  const verifier = base64url(webCrypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(new Uint8Array(await webCrypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  return { verifier, challenge, state: base64url(webCrypto.getRandomValues(new Uint8Array(16))) };
}

export type Reading<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * The authorization code in a pasted callback URL (RFC 6749 §4.1.2), after the checks a client
 * makes: the state is the one it sent (§10.12), the response comes from this issuer when it says
 * (RFC 9207 §2.4), and an error response (§4.1.2.1) is reported as such.
 *
 * @param pasted what the user pasted (surrounding white space ignored)
 * @param expected the state of the authorization URL and this server's issuer
 * @returns the code, or a message naming what is wrong and what to do
 */
export function readCallback(pasted: string, expected: { state: string; issuer: string }): Reading<string> {
  let url: URL;
  try {
    url = new URL(pasted.trim());
  } catch {
    return { ok: false, message: 'That is not a URL: paste the whole address from the browser’s address bar.' };
  }
  const q = url.searchParams;
  const iss = q.get('iss');
  if (iss !== null && iss !== expected.issuer) return { ok: false, message: `This answer is from another server (iss ${iss}), not ${expected.issuer}.` };
  if (q.get('state') !== expected.state) {
    return { ok: false, message: 'Its state is not the one of the authorization URL above: open that URL again and paste where it leads.' };
  }
  const error = q.get('error');
  if (error !== null) {
    const description = q.get('error_description');
    return { ok: false, message: `The server answered ${error}${description ? `: ${description}` : ''}.` };
  }
  const code = q.get('code');
  if (!code) return { ok: false, message: 'This address has no code: paste the address the server sent the browser to after you authorized.' };
  return { ok: true, value: code };
}

/**
 * The tokens of a pasted token response (RFC 6749 §5.1 JSON, as any command here prints it; text
 * around the JSON object is ignored).
 *
 * @returns the access token and the refresh token (null when the response has none), or a message
 */
export function readTokenResponse(pasted: string): Reading<PastedTokens> {
  const start = pasted.indexOf('{');
  const end = pasted.lastIndexOf('}');
  let body: unknown;
  try {
    body = start >= 0 && end > start ? JSON.parse(pasted.slice(start, end + 1)) : undefined;
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null) return { ok: false, message: 'Paste the JSON a command above printed, from { to }.' };
  const b = body as Record<string, unknown>;
  if (typeof b.error === 'string') {
    return { ok: false, message: `That is an error answer (${b.error}${typeof b.error_description === 'string' ? `: ${b.error_description}` : ''}), not tokens.` };
  }
  if (typeof b.access_token !== 'string' || !b.access_token) return { ok: false, message: 'This JSON has no access_token.' };
  return { ok: true, value: { accessToken: b.access_token, refreshToken: typeof b.refresh_token === 'string' && b.refresh_token ? b.refresh_token : null } };
}

/** scheme://authority of a hierarchical URI, or '' (canonicalOrigin then keeps only http(s) ones). */
function originOf(uri: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(uri);
  return m ? m[0] : '';
}
