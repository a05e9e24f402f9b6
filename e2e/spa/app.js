// The SPA: configuration arrives once as ?as=<provider origin>&client_id=<id> and is kept in
// sessionStorage (per origin). Tokens stay in memory and sessionStorage; it is a test page.
const $ = (id) => document.getElementById(id);
const store = sessionStorage;
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomString = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
const sha256 = (s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
const redirectUri = () => `${location.origin}/callback`;

function status(text) {
  $('status').textContent = text;
}
function fail(where, err) {
  $('error').textContent = `${where} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : err}`;
}

async function showToken(tokens) {
  store.setItem('tokens', JSON.stringify(tokens));
  $('fingerprint').textContent = b64url(await sha256(tokens.access_token)).slice(0, 12);
  $('refresh').hidden = !tokens.refresh_token;
}

async function tokenRequest(params) {
  const cfg = JSON.parse(store.getItem('config'));
  const res = await fetch(`${cfg.as}/o/token/`, { method: 'POST', body: new URLSearchParams({ client_id: cfg.clientId, ...params }) });
  const body = await res.json();
  if (!res.ok) throw new Error(`${body.error}: ${body.error_description ?? ''}`);
  return body;
}

async function callApi() {
  const cfg = JSON.parse(store.getItem('config'));
  const { access_token } = JSON.parse(store.getItem('tokens'));
  const res = await fetch(`${cfg.as}/api/hello`, { headers: { Authorization: `Bearer ${access_token}` } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${body.error ?? ''}`);
  $('greeting').textContent = body.message;
}

async function login() {
  const cfg = JSON.parse(store.getItem('config'));
  const verifier = randomString();
  const state = randomString();
  store.setItem('pkce', JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    scope: 'read',
    state,
    code_challenge: b64url(await sha256(verifier)),
    code_challenge_method: 'S256',
  });
  location.assign(`${cfg.as}/o/authorize/?${q}`);
}

async function callback() {
  const p = new URLSearchParams(location.search);
  const cfg = JSON.parse(store.getItem('config'));
  const pkce = JSON.parse(store.getItem('pkce') ?? 'null');
  store.removeItem('pkce');
  history.replaceState(null, '', '/');
  if (p.get('error')) return fail('Authorization', p.get('error'));
  if (!pkce || p.get('state') !== pkce.state) return fail('Authorization', 'state mismatch');
  // RFC 9207: the response names its issuer; it must be the provider we sent the user to.
  if (p.get('iss') !== null && p.get('iss') !== cfg.as) return fail('Authorization', `unexpected issuer ${p.get('iss')}`);
  status('Exchanging the code…');
  let tokens;
  try {
    tokens = await tokenRequest({ grant_type: 'authorization_code', code: p.get('code'), redirect_uri: redirectUri(), code_verifier: pkce.verifier });
  } catch (err) {
    status('Not signed in');
    return fail('Token request', err);
  }
  await showToken(tokens);
  status('Signed in');
  try {
    await callApi();
  } catch (err) {
    fail('API call', err);
  }
}

async function refresh() {
  const { refresh_token } = JSON.parse(store.getItem('tokens'));
  status('Refreshing…');
  try {
    await showToken(await tokenRequest({ grant_type: 'refresh_token', refresh_token }));
    $('greeting').textContent = '';
    await callApi();
    status('Refreshed');
  } catch (err) {
    fail('Refresh', err);
  }
}

$('login').addEventListener('click', () => void login());
$('refresh').addEventListener('click', () => void refresh());

const q = new URLSearchParams(location.search);
if (q.get('as') && q.get('client_id')) {
  store.setItem('config', JSON.stringify({ as: q.get('as'), clientId: q.get('client_id') }));
  history.replaceState(null, '', '/');
}
if (location.pathname === '/callback') void callback();
else if (store.getItem('tokens')) void showToken(JSON.parse(store.getItem('tokens')));
