// npm run bench:profile:read -- /tmp/prof/<tag> [N] [self|incl] [filter]
//
// Reads the CPU profile bench/profile.ts wrote and prints the top N functions per request (µs):
// self time, or inclusive time (each function counted once per stack). Only the samples inside the
// measured window (window.json: t0, t1 in µs of the profile's clock; amount = requests) count.
import fs from 'node:fs';

const [dir, nArg, modeArg, filter] = process.argv.slice(2);
if (!dir) {
  console.error('usage: npm run bench:profile:read -- /tmp/prof/<tag> [N] [self|incl] [filter]');
  process.exit(2);
}
const topN = Number(nArg) || 40;
const mode = modeArg === 'incl' ? 'incl' : 'self';

const windowInfo = JSON.parse(fs.readFileSync(`${dir}/window.json`, 'utf8'));
// The server's profile is the largest one (the bench driver writes a small one too).
const profiles = fs
  .readdirSync(dir)
  .filter((name) => name.endsWith('.cpuprofile'))
  .map((name) => [name, fs.statSync(`${dir}/${name}`).size])
  .sort((a, b) => b[1] - a[1]);
if (!profiles.length) {
  console.error(`${dir} has no .cpuprofile (a STRACE or PERF run records none)`);
  process.exit(1);
}
const file = profiles[0][0];
const profile = JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8'));

const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const projectRoot = windowInfo.dir ? windowInfo.dir.replace(/\/?$/, '/') : null;
/** "name path:line", with the project root and node_modules/ shortened. */
function keyOf(callFrame) {
  let url = callFrame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm/');
  if (projectRoot) url = url.split(projectRoot).join('');
  return `${callFrame.functionName || '(anon)'} ${url}:${callFrame.lineNumber}`;
}

const selfTime = new Map();
const inclusiveTime = new Map();
let busy = 0;
let idle = 0;
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  if (t < windowInfo.t0 || t > windowInfo.t1) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const id = profile.samples[i];
  const node = nodeById.get(id);
  if (node.callFrame.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  busy += dt;
  const key = keyOf(node.callFrame);
  selfTime.set(key, (selfTime.get(key) ?? 0) + dt);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parentOf.get(cur)) {
    const k = keyOf(nodeById.get(cur).callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusiveTime.set(k, (inclusiveTime.get(k) ?? 0) + dt);
  }
}

const perRequest = (us) => (us / windowInfo.amount).toFixed(1);
console.log(
  `${file} window ${(windowInfo.t1 - windowInfo.t0) / 1e6}s amount ${windowInfo.amount}: ` +
    `busy ${perRequest(busy)} µs/req, idle ${perRequest(idle)} µs/req`,
);
[...(mode === 'self' ? selfTime : inclusiveTime)]
  .filter(([key]) => !filter || key.includes(filter))
  .sort((a, b) => b[1] - a[1])
  .slice(0, topN)
  .forEach(([key, us]) => console.log(perRequest(us).padStart(7), key.slice(0, 140)));
