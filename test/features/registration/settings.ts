// The settings fixture of test/features/registration/: documents are served by test servers on
// 127.0.0.1, so loopback metadata-document fetches are allowed (a development setting); the fetch
// time limit is short so that the slow-document test is quick. A test file adds only what its own
// rule needs (REGISTRATION, the lookup hook).
import type { SettingOverrides } from '@/test/helpers/settings';

export const settings: Readonly<SettingOverrides> = {
  CLIENT_METADATA_ALLOW_LOOPBACK: 'true',
  limits: { clientMetadataTimeoutMs: 1000 },
};

/** Ports of this folder's document servers (the brief's 8410-8419): one per test file. */
export const DOCUMENT_PORTS = { metadata: 8410, suspension: 8411 } as const;
