#!/usr/bin/env node
// Tests indexed by rule (docs/ARCHITECTURE.md §8): every "RFC n §x" that lib/oauth cites above a
// check must appear in the title of a test (vitest `it`/`test`/`describe`, Playwright `test`), so
// the test for a rule is found by searching for the rule. Run by `npm test` (scripts/test.sh).
// Prints the citations no test title names, with where lib/oauth cites them; exits 1 if any.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CITATION = /RFC ?(\d{4}) ?§ ?(\d+(?:\.\d+)*)/g;

function* files(dir, keep) {
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') yield* files(rel, keep);
    } else if (keep(rel)) yield rel;
  }
}

const norm = (rfc, sec) => `RFC ${rfc} §${sec}`;

/** Citations in the protocol code (not its unit tests), with their first places. */
const cited = new Map();
for (const f of files('lib/oauth', (p) => p.endsWith('.ts') && !p.endsWith('.test.ts'))) {
  fs.readFileSync(path.join(root, f), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(CITATION)) {
        const key = norm(m[1], m[2]);
        if (!cited.has(key)) cited.set(key, []);
        cited.get(key).push(`${f}:${i + 1}`);
      }
    });
}

/** The titles of every test and group: the first string argument of it/test/describe (any modifier). */
const TITLE = /\b(?:it|test|describe)(?:\.\w+)*\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
const titled = new Set();
const testFile = (p) => /\.(test|spec)\.tsx?$/.test(p);
for (const dir of ['lib', 'test', 'e2e']) {
  if (!fs.existsSync(path.join(root, dir))) continue;
  for (const f of files(dir, testFile)) {
    for (const m of fs.readFileSync(path.join(root, f), 'utf8').matchAll(TITLE)) {
      for (const c of m[2].matchAll(CITATION)) {
        // A title citing §4.1.2 also names the rule of §4.1 it refines? No: each clause is its own rule.
        titled.add(norm(c[1], c[2]));
      }
    }
  }
}

const missing = [...cited.keys()].filter((k) => !titled.has(k)).sort();
if (missing.length === 0) {
  console.log(`check-rfc-tests: all ${cited.size} RFC clauses cited in lib/oauth are named by a test title`);
  process.exit(0);
}
console.log(`check-rfc-tests: ${missing.length} of ${cited.size} RFC clauses cited in lib/oauth are named by no test title:`);
for (const k of missing) console.log(`  ${k}  (cited at ${cited.get(k).slice(0, 3).join(', ')})`);
process.exit(1);
