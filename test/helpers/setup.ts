// vitest setupFiles: every test file starts with test settings installed (./settings.ts), so that
// no test reads the settings of the environment it was started from, nor writes a dev secret file.
import { useTestSettings } from './settings';

useTestSettings();
