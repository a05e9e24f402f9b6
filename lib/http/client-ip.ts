import { env } from '../env';

type HeaderLike = { get(name: string): string | null };

/** The caller's IP: X-Forwarded-For only when TRUST_PROXY is set, else the socket address. */
export function clientIp(headers: HeaderLike, socketAddress?: string | null): string {
  if (env().TRUST_PROXY) {
    const xff = headers.get('x-forwarded-for');
    if (xff) return xff.split(',')[0].trim();
  }
  return socketAddress ?? headers.get('x-oauth-client-ip') ?? 'unknown';
}
