// Password and client-secret hashing: argon2id with @node-rs/argon2's defaults (m=19456, t=2, p=1).
import { hash, verify } from '@node-rs/argon2';

export const hashPassword = (plain: string) => hash(plain);

/** A hash to verify against for unknown users, so the time taken does not reveal whether a user exists. */
let dummy: Promise<string> | undefined;

export async function verifyPassword(phc: string | null | undefined, plain: string): Promise<boolean> {
  const target = phc ?? (await (dummy ??= hash('dummy-password-for-timing')));
  try {
    const ok = await verify(target, plain);
    return ok && !!phc;
  } catch {
    return false; // malformed hash: never a match
  }
}

export const isArgon2Hash = (s: string) => s.startsWith('$argon2');
