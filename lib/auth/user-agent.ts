// A person-readable name for the browser behind a session ("Firefox on Windows"), from its
// User-Agent header. Only for display on the sessions page: a User-Agent is client-controlled and
// proves nothing.
import { env } from '../env';

const BROWSERS: [RegExp, string][] = [
  // Order matters: Edge and Opera say "Chrome", Chrome says "Safari".
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrom(?:e|ium)\/|\bCriOS\/|\bHeadlessChrome\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\bcurl\//, 'curl'],
];

const SYSTEMS: [RegExp, string][] = [
  [/\bAndroid\b/, 'Android'],
  [/\biPhone|\biPad|\biPod/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

const first = (table: [RegExp, string][], ua: string) => table.find(([re]) => re.test(ua))?.[1] ?? null;

/** "Chrome on Linux"; "Safari" when the system is unknown; "A browser on Windows"; else "Unknown browser". Reads at most limits.userAgentMaxLength characters. */
export function describeUserAgent(ua: string): string {
  const s = ua.slice(0, env().limits.userAgentMaxLength);
  const browser = first(BROWSERS, s);
  const system = first(SYSTEMS, s);
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  return 'Unknown browser';
}
