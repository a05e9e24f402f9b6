// The canonical form of every identifier we compare case-insensitively or store in more than one
// spelling. One function per kind of value: lookups, unique indexes and rate-limit keys all use it,
// so two spellings can never be one thing in one place and two things in another.

/**
 * Canonical username: Unicode NFKC (full-width "ａｌｉｃｅ" → "alice", compatibility forms folded),
 * then lower case, then NFKC again (lower-casing "İ" yields "i" + U+0307, which stays distinct from
 * "i"). Surrounding white space is dropped. Stored in users.username_canonical (unique) and used for
 * every login lookup and every per-account rate-limit key.
 *
 * @param username as typed (any Unicode string)
 * @returns the canonical form; '' for an empty or all-space input
 */
export function canonicalUsername(username: string): string {
  return username.trim().normalize('NFKC').toLowerCase().normalize('NFKC');
}
