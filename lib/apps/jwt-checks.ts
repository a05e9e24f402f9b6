// The playground's JWT checks (app/o/applications/_components/playground.tsx): an ID token (or an
// access token that is a JWT) decoded into its header and claims, and checked as a client must
// (OIDC Core §3.1.3.7): the signature against this server's JWKS (RS256) or the client secret
// (HS256, §10.1), then exp, iss, aud, nonce and at_hash (§3.1.3.6), each shown passed or failed.
// Runs in the browser (jose and Web Crypto); lib/apps/jwt-checks.test.ts runs it in Node.
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

/** One check: passed (true), failed (false) or not made (null, with the reason). */
export interface JwtCheck {
  name: 'signature' | 'exp' | 'iss' | 'aud' | 'nonce' | 'at_hash';
  ok: boolean | null;
  detail: string;
}

export interface JwtReport {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
  checks: JwtCheck[];
}

/** What the client expects of the token. */
export interface JwtExpectations {
  /** ISSUER: the `iss` the token must carry. */
  issuer: string;
  /** The client id: an ID token's `aud` must contain it; null for an access token (its audience is an API). */
  clientId: string | null;
  /** The authorization request's nonce; undefined when none was sent (the check is left out). */
  nonce?: string;
  /** The access token of the same answer, for at_hash; undefined = no at_hash check. */
  accessToken?: string;
  /** This server's JWKS (the document of /.well-known/jwks.json), for RS256/ES256 signatures. */
  jwks: JSONWebKeySet | null;
  /** The plain client secret, for HS256 (OIDC Core §10.1); '' or null when not typed. */
  secret?: string | null;
  /** Now, in seconds since the epoch. */
  now?: number;
}

/** Whether `token` has the JWS compact form (RFC 7515 §7.1): three base64url parts. */
export const looksLikeJwt = (token: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);

/** The header and claims of a JWT, unverified; null when it is not one. */
export function decodeToken(token: string): { header: ProtectedHeaderParameters; claims: JWTPayload } | null {
  if (!looksLikeJwt(token)) return null;
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return null;
  }
}

const HASHES: Record<string, string> = { '256': 'SHA-256', '384': 'SHA-384', '512': 'SHA-512' };

/**
 * OIDC Core §3.1.3.6 at_hash: the base64url of the left half of the hash of the access token's
 * ASCII octets, with the hash of the ID token's `alg` (SHA-256 for RS256 and HS256).
 * @returns null for an alg without a known hash
 */
export async function atHashOf(accessToken: string, alg: string, webCrypto: Crypto = globalThis.crypto): Promise<string | null> {
  const bits = /(256|384|512)$/.exec(alg)?.[1];
  if (!bits) return null;
  const digest = new Uint8Array(await webCrypto.subtle.digest(HASHES[bits], new TextEncoder().encode(accessToken)));
  const half = digest.slice(0, digest.length / 2);
  return btoa(String.fromCharCode(...half)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function signatureCheck(token: string, alg: string, e: JwtExpectations): Promise<JwtCheck> {
  try {
    if (alg.startsWith('HS')) {
      if (!e.secret) return { name: 'signature', ok: null, detail: `${alg} is signed with the client secret: cannot verify without the secret (type it above).` };
      await compactVerify(token, new TextEncoder().encode(e.secret), { algorithms: [alg] });
      return { name: 'signature', ok: true, detail: `${alg} signature verified with the client secret.` };
    }
    if (!e.jwks) return { name: 'signature', ok: null, detail: 'The JWKS could not be fetched: signature not checked.' };
    await compactVerify(token, createLocalJWKSet(e.jwks), { algorithms: [alg] });
    return { name: 'signature', ok: true, detail: `${alg} signature verified with the key ${(decodeProtectedHeader(token).kid as string | undefined) ?? ''} of this server’s JWKS.`.replace(' key  of', ' key of') };
  } catch (err) {
    return { name: 'signature', ok: false, detail: `The signature does not verify: ${err instanceof Error ? err.message : String(err)}.` };
  }
}

/**
 * Decodes and checks a JWT as a client does (OIDC Core §3.1.3.7 for an ID token).
 * @returns null when `token` is not a JWT; otherwise its header, claims and each check
 */
export async function checkJwt(token: string, e: JwtExpectations): Promise<JwtReport | null> {
  const decoded = decodeToken(token);
  if (!decoded) return null;
  const { header, claims } = decoded;
  const alg = typeof header.alg === 'string' ? header.alg : '';
  const now = e.now ?? Math.floor(Date.now() / 1000);
  const checks: JwtCheck[] = [await signatureCheck(token, alg, e)];

  checks.push(
    typeof claims.exp !== 'number'
      ? { name: 'exp', ok: false, detail: 'No exp claim.' }
      : claims.exp > now
        ? { name: 'exp', ok: true, detail: `Expires ${new Date(claims.exp * 1000).toISOString()}, in ${claims.exp - now} s.` }
        : { name: 'exp', ok: false, detail: `Expired ${new Date(claims.exp * 1000).toISOString()}.` },
  );
  checks.push(
    claims.iss === e.issuer
      ? { name: 'iss', ok: true, detail: `iss is this server, ${e.issuer}.` }
      : { name: 'iss', ok: false, detail: `iss is ${JSON.stringify(claims.iss)}, not ${e.issuer}.` },
  );
  if (e.clientId !== null) {
    const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
    checks.push(
      aud.includes(e.clientId)
        ? { name: 'aud', ok: true, detail: `aud contains this application’s client id.` }
        : { name: 'aud', ok: false, detail: `aud ${JSON.stringify(claims.aud)} does not contain the client id ${e.clientId}.` },
    );
  }
  if (e.nonce !== undefined) {
    checks.push(
      claims.nonce === e.nonce
        ? { name: 'nonce', ok: true, detail: 'nonce is the one the authorization request sent.' }
        : { name: 'nonce', ok: false, detail: `nonce ${JSON.stringify(claims.nonce)} is not the one sent (${e.nonce}).` },
    );
  }
  if (e.accessToken !== undefined) {
    if (typeof claims.at_hash !== 'string') {
      checks.push({ name: 'at_hash', ok: null, detail: 'No at_hash claim (optional for the code flow).' });
    } else {
      const expected = await atHashOf(e.accessToken, alg);
      checks.push(
        expected === claims.at_hash
          ? { name: 'at_hash', ok: true, detail: 'at_hash matches the access token of the same answer.' }
          : { name: 'at_hash', ok: false, detail: `at_hash ${claims.at_hash} does not match the access token (expected ${expected ?? 'unknown for ' + alg}).` },
      );
    }
  }
  return { header, claims, checks };
}
