'use client';
// The playground's callback: posts the authorization response in this tab's address to the
// playground's tab (BroadcastChannel, same origin only) and removes it from the address and the
// history. Only when a playground tab acknowledges it as its own (lib/apps/playground.ts) does the
// page say the answer arrived, and close (a tab opened by the playground may close itself); without
// an acknowledgement it says that no playground tab received it. The code is never shown here: the
// playground checks the state and exchanges it.
import { useEffect, useState } from 'react';
import { CALLBACK_ACK_WAIT_MS, PLAYGROUND_CHANNEL, callbackMessage, isCallbackAck } from '@/lib/apps/playground';

type Status = 'sending' | 'received' | 'unheard' | 'nothing' | 'unsupported';

const WORDS: Record<Status, string> = {
  sending: 'Handing the answer to the playground…',
  received: 'The playground’s tab received the answer: close this tab and continue there.',
  unheard: 'No playground tab received it: open Try it again and restart this step.',
  nothing: 'No authorization answer here. Start from an application’s “Try it” page.',
  unsupported: 'This browser cannot hand the answer to the playground (no BroadcastChannel). Use a current browser.',
};

export function PlaygroundCallback() {
  const [status, setStatus] = useState<Status>('sending');
  useEffect(() => {
    const id = crypto.randomUUID();
    const message = callbackMessage(location.search, id);
    history.replaceState(null, '', location.pathname);
    if (!message.code && !message.error) {
      setStatus('nothing');
      return;
    }
    if (typeof BroadcastChannel === 'undefined') {
      setStatus('unsupported');
      return;
    }
    const channel = new BroadcastChannel(PLAYGROUND_CHANNEL);
    const timer = setTimeout(() => {
      channel.close();
      setStatus('unheard');
    }, CALLBACK_ACK_WAIT_MS);
    channel.onmessage = (ev: MessageEvent) => {
      if (!isCallbackAck(ev.data, id)) return;
      clearTimeout(timer);
      channel.close();
      setStatus('received');
      window.close();
    };
    channel.postMessage(message);
    return () => {
      clearTimeout(timer);
      channel.close();
    };
  }, []);
  return (
    <div className="mx-auto max-w-xl space-y-4">
      <h1 className="text-2xl font-bold text-slate-900">Playground callback</h1>
      <p role="status" aria-live="polite" className="text-sm text-slate-700" data-testid="playground-callback-status">
        {WORDS[status]}
      </p>
    </div>
  );
}
