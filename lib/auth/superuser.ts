// `npm run createsuperuser` (scripts/createsuperuser.ts): the staff user it creates, whether the
// command opens the database itself or asks the running server to (lib/server/control-socket.ts).
// The rules are sign-up's (signupSchema). No Next.js imports.
import { newPassword, signupSchema } from './forms';
import { hashPassword } from './password';
import { createUser, UsernameTakenError } from '../db/queries/users';
import { audit } from '../db/queries/audit';

/** A refusal worded for the person at the terminal (a field's rule, a taken username). */
export class SuperuserRefused extends Error {}

export interface SuperuserInput {
  username: string;
  email: string;
  password: string;
}

/**
 * Creates a staff user and writes an `admin.action` audit event (`via`: who asked, e.g.
 * `createsuperuser`). Throws SuperuserRefused (`field: message`) for input that breaks a sign-up
 * rule, or a username taken in any spelling (lib/canonical.ts). Returns the stored (trimmed) username.
 */
export async function createSuperuser(input: SuperuserInput, via: string): Promise<string> {
  const parsed = signupSchema.safeParse({ ...input, password2: input.password });
  if (!parsed.success) {
    const [field, msgs] = Object.entries(parsed.error.flatten().fieldErrors)[0] ?? ['input', ['invalid']];
    throw new SuperuserRefused(`${field}: ${(msgs as string[]).join(' ')}`);
  }
  try {
    // The validated (trimmed) values; createUser stores canonicalUsername() beside the name, whose
    // unique index refuses every other spelling of an existing username.
    const u = await createUser({ username: parsed.data.username, email: parsed.data.email, passwordHash: await hashPassword(input.password), isStaff: true });
    audit('admin.action', { actorLabel: via, detail: { action: 'createsuperuser', username: u.username } });
    return u.username;
  } catch (e) {
    if (e instanceof UsernameTakenError) throw new SuperuserRefused(`The username "${parsed.data.username}" is taken.`);
    throw e;
  }
}

/**
 * Asks for a new password twice, as Django's createsuperuser does: when the two differ, or the
 * password breaks the sign-up rule (at least 8 characters), it says why (`tell`) and asks again,
 * until a valid pair is typed. `ask` reads one hidden answer.
 */
export async function askNewPassword(ask: (question: string) => Promise<string>, tell: (line: string) => void): Promise<string> {
  for (;;) {
    const password = await ask('Password: ');
    const again = await ask('Password (again): ');
    if (password !== again) {
      tell('Error: the two passwords differ. Try again.');
      continue;
    }
    const rule = newPassword.safeParse(password);
    if (!rule.success) {
      tell(`Error: ${rule.error.issues[0]?.message ?? 'invalid password.'} Try again.`);
      continue;
    }
    return password;
  }
}
