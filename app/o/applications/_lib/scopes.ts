// The resources' scopes as the application form and page show them (plain, serializable data
// for the client form), read from the protocol's cached list (lib/oauth/resources.ts).
import { listResources } from '@/lib/oauth/resources';
import type { ScopeCatalogue } from '../_components/application-fields';

/** Every resource with its scopes (name and consent sentence), the built-in first. */
export async function scopeCatalogue(): Promise<ScopeCatalogue> {
  return (await listResources()).map((r) => ({ identifier: r.identifier, name: r.name, scopes: r.scopes }));
}
