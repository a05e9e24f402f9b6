import { PlaygroundCallback } from './playground-callback';

export const metadata = { title: 'Playground callback' };

/**
 * The playground's redirect URI (lib/apps/playground.ts): hands the authorization response to the
 * playground's tab. Needs no session: it only passes on what is in its own address, and only to
 * this origin's pages.
 */
export default function PlaygroundCallbackPage() {
  return <PlaygroundCallback />;
}
