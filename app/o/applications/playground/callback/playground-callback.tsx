'use client';
// The playground's callback: posts the authorization response in this tab's address to the
// playground's tab (BroadcastChannel, same origin only), removes it from the address and the
// history, and closes the tab (a tab opened by the playground may close itself). The code is never
// shown here: the playground checks the state and exchanges it.
import { useEffect, useState } from 'react';
import { PLAYGROUND_CHANNEL, callbackMessage } from '@/lib/apps/playground';

export function PlaygroundCallback() {
  const [status, setStatus] = useState<'sending' | 'sent' | 'nothing' | 'unsupported'>('sending');
  useEffect(() => {
    const message = callbackMessage(location.search);
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
    channel.postMessage(message);
    channel.close();
    setStatus('sent');
    window.close();
  }, []);
  return (
    <div className="mx-auto max-w-xl space-y-4">
      <h1 className="text-2xl font-bold text-slate-900">Playground callback</h1>
      <p role="status" aria-live="polite" className="text-sm text-slate-700" data-testid="playground-callback-status">
        {status === 'sending'
          ? 'Handing the answer to the playground…'
          : status === 'sent'
            ? 'The answer went to the playground’s tab: close this tab and continue there.'
            : status === 'nothing'
              ? 'No authorization answer here. Start from an application’s “Try it” page.'
              : 'This browser cannot hand the answer to the playground (no BroadcastChannel). Use a current browser.'}
      </p>
    </div>
  );
}
