// The settings fixture of test/features/scale-out/: what every instance of its cluster runs with,
// on top of the cluster's own (test/helpers/cluster.ts: one DATABASE_URL, AUTH_SECRET and ISSUER
// for all, TRUST_PROXY=1). A low failure limit so that the rate-limit test needs few requests.
import type { SettingOverrides } from '@/test/helpers/settings';

export const settings: Readonly<SettingOverrides> = { RATE_LIMIT_MAX_FAILURES: '3' };

/** nginx listens here, the instances on the next ports (the helper's ports 8600–8649; the soak uses 8630). */
export const BASE_PORT = 8600;
