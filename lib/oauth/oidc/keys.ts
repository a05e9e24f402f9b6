// RS256 signing keys for ID tokens: generated on first use, stored in the database (signing_keys) so
// every instance shares them, the private half encrypted at rest with a key derived from AUTH_SECRET
// (HKDF-SHA256 → AES-256-GCM, as a compact JWE "dir"/"A256GCM" whose protected header names the kid,
// so a ciphertext moved to another row fails to decrypt). Loaded and decrypted once per process and
// cached; re-read every limits.keysRefreshMs (60 s), and at once on PostgreSQL when any instance
// rotates (LISTEN/NOTIFY).
import { hkdfSync } from 'node:crypto';
import {
  calculateJwkThumbprint,
  compactDecrypt,
  CompactEncrypt,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type CryptoKey,
} from 'jose';
import { env } from '../../env';
import { serverError } from '../errors';
import { log } from '../../log';
import {
  insertFirstKey,
  listPublishedKeys,
  onKeysChanged,
  rotateKey,
  type NewSigningKey,
  type SigningKeyRow,
} from '../../db/queries/signing-keys';

export const SIGNING_ALG = 'RS256';

export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

interface KeySet {
  at: number;
  /** Null when the active key cannot be decrypted (AUTH_SECRET changed): the JWKS is still served. */
  current: SigningKey | null;
  currentError: Error | null;
  /** Public keys of every published kid, for verifying our own ID tokens (id_token_hint). */
  verify: Map<string, CryptoKey>;
  /** The JWKS document, serialised once. */
  jwks: string;
}

interface State {
  set: KeySet | null;
  loading: Promise<KeySet> | null;
  listening: Promise<void> | null;
  /** Derived encryption key, with the secret it came from. */
  kek: { secret: string; key: Uint8Array } | null;
}

const KEY = Symbol.for('oauth.signingKeys');
type G = typeof globalThis & { [KEY]?: State };
const state = ((globalThis as G)[KEY] ??= { set: null, loading: null, listening: null, kek: null });

// --- encryption at rest -------------------------------------------------------------------------

function kek(): Uint8Array {
  const secret = env().AUTH_SECRET;
  if (state.kek?.secret !== secret) {
    const key = new Uint8Array(hkdfSync('sha256', secret, 'oauth-provider/signing-keys', 'private JWK encryption (A256GCM) v1', 32));
    state.kek = { secret, key };
  }
  return state.kek.key;
}

export async function encryptPrivateJwk(kid: string, jwk: JWK): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(jwk))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid }).encrypt(kek());
}

export class KeyDecryptionError extends Error {}

export async function decryptPrivateJwk(kid: string, enc: string): Promise<JWK> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(enc, kek(), { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    if (protectedHeader.kid !== kid) throw new Error('kid mismatch');
    return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
  } catch {
    throw new KeyDecryptionError(
      `Cannot decrypt the private signing key "${kid}": AUTH_SECRET differs from the one it was encrypted with. ` +
        'Restore AUTH_SECRET, or run `npm run keys:rotate` to make a new key.',
    );
  }
}

// --- generating -----------------------------------------------------------------------------------

/** A fresh RSA-2048 key, kid = its RFC 7638 thumbprint, ready to insert. */
export async function generateSigningKey(): Promise<NewSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const publicJwk: JWK = { kty: pub.kty, n: pub.n, e: pub.e, kid, alg: SIGNING_ALG, use: 'sig' };
  return { kid, alg: SIGNING_ALG, publicJwk, privateJwkEnc: await encryptPrivateJwk(kid, await exportJWK(privateKey)) };
}

/** Adds a new active key and retires the previous one (`npm run keys:rotate`). */
export async function rotateSigningKey(): Promise<{ kid: string; retired: string[] }> {
  const key = await generateSigningKey();
  const retired = await rotateKey(key);
  invalidateKeys();
  return { kid: key.kid, retired };
}

// --- loading and caching ------------------------------------------------------------------------

/** Keys retired less than ID_TOKEN_EXPIRE_SECONDS ago may have signed tokens still valid: keep publishing them. */
const publishedSince = () => new Date(Date.now() - env().ID_TOKEN_EXPIRE_SECONDS * 1000);

async function load(previous: KeySet | null): Promise<KeySet> {
  let rows = await listPublishedKeys(publishedSince());
  if (!rows.some((r) => r.retiredAt === null)) {
    // First start (or every key retired by hand): make one. Under the advisory lock only one
    // instance inserts; everyone re-reads and uses whichever key won.
    await insertFirstKey(await generateSigningKey());
    rows = await listPublishedKeys(publishedSince());
  }
  const active = rows.find((r) => r.retiredAt === null)!;
  let current: SigningKey | null = previous?.current?.kid === active.kid ? previous.current : null;
  let currentError: Error | null = null;
  if (!current) {
    try {
      current = { kid: active.kid, key: (await importJWK(await decryptPrivateJwk(active.kid, active.privateJwkEnc), SIGNING_ALG)) as CryptoKey };
    } catch (e) {
      currentError = e as Error;
    }
  }
  const verify = new Map<string, CryptoKey>();
  for (const r of rows) verify.set(r.kid, previous?.verify.get(r.kid) ?? ((await importJWK(publicJwkOf(r), SIGNING_ALG)) as CryptoKey));
  // The active key first: some clients try keys in order.
  const published = [active, ...rows.filter((r) => r !== active)].map(publicJwkOf);
  return { at: Date.now(), current, currentError, verify, jwks: JSON.stringify({ keys: published }) };
}

function publicJwkOf(r: SigningKeyRow): JWK {
  const j = r.publicJwk as JWK;
  return { kty: j.kty, n: j.n, e: j.e, kid: r.kid, alg: r.alg, use: 'sig' };
}

function reload(): Promise<KeySet> {
  if (!state.loading) {
    state.listening ??= onKeysChanged(() => invalidateKeys()).catch((e) => {
      log.warn('signing_keys.listen_failed', { err: e, msg: 'relying on the periodic refresh' });
    });
    state.loading = load(state.set)
      .then((s) => (state.set = s))
      .finally(() => (state.loading = null));
  }
  return state.loading;
}

/** The current key set. A stale one is served while it is refreshed in the background. */
async function keySet(): Promise<KeySet> {
  const s = state.set;
  if (!s) return reload();
  if (Date.now() - s.at > env().limits.keysRefreshMs) {
    reload().catch((e) => log.error('signing_keys.refresh_failed', { err: e }));
  }
  return s;
}

/** Forget the cached keys: the next use re-reads them. */
export function invalidateKeys() {
  if (state.set) state.set = { ...state.set, at: 0 };
}

/** Drops everything loaded, as in a fresh process (tests). */
export function resetKeysForTests() {
  state.set = null;
}

/** Re-reads the keys now (tests, and after changing the table by hand). */
export async function reloadKeys(): Promise<void> {
  invalidateKeys();
  await reload();
}

/** The key new ID tokens are signed with. Throws server_error (logged) when it cannot be decrypted. */
export async function currentSigningKey(): Promise<SigningKey> {
  const s = state.set;
  // After a rotation (invalidateKeys) wait for the new key rather than sign with the retired one.
  const set = s && s.at === 0 ? await reload() : await keySet();
  if (set.current) return set.current;
  log.error('signing_keys.unavailable', { reason: set.currentError?.message ?? 'no signing key' });
  throw serverError();
}

/** The JWKS document (RFC 7517 §5), serialised. */
export async function jwksJson(): Promise<string> {
  return (await keySet()).jwks;
}

/**
 * The public key for `kid`, or null when we never published it (or no longer do). An unknown kid
 * (e.g. in an id_token_hint) forces a re-read at most every limits.unknownKidReloadMs.
 */
export async function verificationKey(kid: string): Promise<CryptoKey | null> {
  let s = await keySet();
  const hit = s.verify.get(kid);
  if (hit) return hit;
  if (Date.now() - s.at < env().limits.unknownKidReloadMs) return null;
  s = await reload();
  return s.verify.get(kid) ?? null;
}
