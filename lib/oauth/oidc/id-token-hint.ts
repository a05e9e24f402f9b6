// Verifying an ID token this server issued, as sent back to us in `id_token_hint` (OpenID Connect
// Core §3.1.2.1; RP-Initiated Logout 1.0 §2). The signature and issuer must be ours; the expiry is
// NOT checked: "The OP SHOULD accept ID Tokens … even when the exp time has passed."
import { compactVerify, decodeJwt, decodeProtectedHeader, type CryptoKey } from 'jose';
import { z } from 'zod';
import { env } from '../../env';
import { getClient } from '../../db/queries/clients';
import { hs256Problem } from './id-token';
import { verificationKey } from './keys';

export interface IdTokenHint {
  /** The user the token names (users.id). */
  sub: string;
  aud: string[];
  /** The client it was issued to (azp, or the single audience). */
  clientId: string | null;
  /**
   * True when signed with our own RS256 key. An HS256 hint is signed with a client secret, which the
   * client's owner knows: they could mint one naming any user, so it proves nothing on its own.
   */
  signedByUs: boolean;
}

const payloadSchema = z.object({
  iss: z.string(),
  sub: z.string().min(1).max(255),
  aud: z.union([z.string(), z.array(z.string()).min(1)]),
  azp: z.string().optional(),
});

/** The hint's claims when it is an ID token signed by us (RS256 key or a client's HS256 secret); null otherwise, and when longer than limits.idTokenHintMaxLength. */
export async function verifyIdTokenHint(token: string): Promise<IdTokenHint | null> {
  if (token.length > env().limits.idTokenHintMaxLength || token.split('.').length !== 3) return null;
  let alg: string | undefined;
  let kid: string | undefined;
  let unverified: ReturnType<typeof payloadSchema.safeParse>;
  try {
    ({ alg, kid } = decodeProtectedHeader(token));
    unverified = payloadSchema.safeParse(decodeJwt(token));
  } catch {
    return null;
  }
  if (!unverified.success) return null;
  const aud = typeof unverified.data.aud === 'string' ? [unverified.data.aud] : unverified.data.aud;
  const clientId = unverified.data.azp ?? (aud.length === 1 ? aud[0] : null);

  // The key is chosen by alg, and only our two algorithms are accepted ("none" never is).
  let key: CryptoKey | Uint8Array | null = null;
  if (alg === 'RS256') {
    key = typeof kid === 'string' && kid.length <= 200 ? await verificationKey(kid) : null;
  } else if (alg === 'HS256' && clientId && clientId.length <= 200) {
    const app = await getClient(clientId);
    if (app && app.algorithm === 'HS256' && !hs256Problem(app)) key = new TextEncoder().encode(app.clientSecret);
  }
  if (!key) return null;
  try {
    const { payload } = await compactVerify(token, key, { algorithms: [alg!] });
    const claims = payloadSchema.safeParse(JSON.parse(new TextDecoder().decode(payload)));
    if (!claims.success || claims.data.iss !== env().ISSUER) return null;
    return { sub: claims.data.sub, aud, clientId, signedByUs: alg === 'RS256' };
  } catch {
    return null;
  }
}
