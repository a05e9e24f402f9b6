// The "not verified" warning for a self-registered client (RFC 7591, a metadata document): one
// component for the consent page and the device approval page. It names first the host the code
// goes to (a fact), then, as secondary text, the host the client says it is (its own choice).
import type { UnverifiedHosts } from '@/lib/oauth/client-metadata';

export function UnverifiedClient({ hosts }: { hosts: UnverifiedHosts }) {
  const { sendsTo, claims } = hosts;
  return (
    <div className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="unverified-client">
      <p>
        This application is not verified by OAuth Provider.{' '}
        {sendsTo ? (
          <>
            If you authorize, your browser is sent to{' '}
            <strong className="text-base" data-testid="client-host">
              {sendsTo}
            </strong>
            .
          </>
        ) : (
          <>Nobody checked who runs it.</>
        )}{' '}
        Continue only if you trust that site.
      </p>
      {claims && claims !== sendsTo ? (
        <p className="mt-1 text-amber-800" data-testid="client-claims">
          It says it is {claims}.
        </p>
      ) : null}
    </div>
  );
}
