// The playground's callback message (lib/apps/playground.ts): what the callback page posts, and what
// the playground tab takes from it. Any page of this origin can post on the channel, so the tab
// takes only a well-formed message with its own state, from this issuer.
import { describe, expect, it } from 'vitest';
import { callbackAck, callbackMessage, isCallbackAck, playgroundCallbackUrl, playgroundPath, readCallbackMessage } from './playground';

const expected = { state: 'state-1', issuer: 'http://localhost:8000' };

describe('playground callback', () => {
  it('lives on this server, under the applications', () => {
    expect(playgroundCallbackUrl('http://localhost:8000')).toBe('http://localhost:8000/o/applications/playground/callback/');
    expect(playgroundPath(7)).toBe('/o/applications/7/try/');
  });

  it('RFC 6749 §4.1.2: the callback posts the code, state and iss of its query, each only when sent once', () => {
    expect(callbackMessage('?code=c1&state=state-1&iss=http%3A%2F%2Flocalhost%3A8000')).toEqual({
      type: 'authorization_response',
      code: 'c1',
      state: 'state-1',
      iss: 'http://localhost:8000',
      error: null,
      error_description: null,
    });
    expect(callbackMessage('?code=a&code=b&state=s').code).toBeNull();
  });

  it('RFC 6749 §10.12: a response with another state is not taken (another tab’s, or forged)', () => {
    expect(readCallbackMessage(callbackMessage('?code=c1&state=state-1'), expected)).toEqual({ ok: true, code: 'c1' });
    expect(readCallbackMessage(callbackMessage('?code=c1&state=other'), expected)).toMatchObject({ ok: false, ours: false });
    expect(readCallbackMessage(callbackMessage('?code=c1'), expected)).toMatchObject({ ok: false, ours: false });
  });

  it('RFC 9207 §2.4: a response naming another issuer is refused', () => {
    expect(readCallbackMessage(callbackMessage('?code=c1&state=state-1&iss=https%3A%2F%2Fevil.example'), expected)).toMatchObject({ ok: false, error: 'issuer_mismatch', ours: true });
  });

  it('RFC 6749 §4.1.2.1: an error response is passed on with its description', () => {
    expect(readCallbackMessage(callbackMessage('?error=access_denied&error_description=The+user+denied+the+request.&state=state-1'), expected)).toEqual({
      ok: false,
      error: 'access_denied',
      description: 'The user denied the request.',
      ours: true,
    });
  });

  it('the playground acknowledges a message by its id; the callback takes only the acknowledgement of its own message', () => {
    const m = callbackMessage('?code=c1&state=state-1', 'msg-1');
    expect(m.id).toBe('msg-1');
    expect(readCallbackMessage(m, expected)).toEqual({ ok: true, code: 'c1' });
    expect(isCallbackAck(callbackAck('msg-1'), 'msg-1')).toBe(true);
    expect(isCallbackAck(callbackAck('msg-2'), 'msg-1')).toBe(false);
    for (const junk of [null, 'msg-1', m, { type: 'authorization_response_ack' }]) expect(isCallbackAck(junk, 'msg-1')).toBe(false);
  });

  it('a message that is not an authorization response (another use of the channel, junk) is ignored', () => {
    for (const junk of [null, 'x', { type: 'other' }, { type: 'authorization_response', code: 1 }]) expect(readCallbackMessage(junk, expected)).toBeNull();
  });
});
