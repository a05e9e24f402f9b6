import { describe, expect, it } from 'vitest';
import { askNewPassword } from './superuser';

/** A prompt that answers from a script, recording what the command said in between. */
function scripted(answers: string[]) {
  const said: string[] = [];
  const asked: string[] = [];
  const ask = async (q: string) => {
    asked.push(q);
    const a = answers.shift();
    if (a === undefined) throw new Error('asked once too often');
    return a;
  };
  return { ask, tell: (l: string) => said.push(l), said, asked };
}

describe('createsuperuser asks for the password again (issue 14)', () => {
  it('mismatched passwords ask again instead of exiting', async () => {
    const s = scripted(['first password', 'other password', 'right password', 'right password']);
    expect(await askNewPassword(s.ask, s.tell)).toBe('right password');
    expect(s.said).toEqual(['Error: the two passwords differ. Try again.']);
    expect(s.asked).toEqual(['Password: ', 'Password (again): ', 'Password: ', 'Password (again): ']);
  });

  it('a password that breaks the sign-up rule asks again, saying the rule', async () => {
    const s = scripted(['short', 'short', 'long enough now', 'long enough now']);
    expect(await askNewPassword(s.ask, s.tell)).toBe('long enough now');
    expect(s.said).toEqual(['Error: Too short. At least 8 characters. Try again.']);
  });
});
