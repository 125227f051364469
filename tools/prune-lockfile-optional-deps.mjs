#!/usr/bin/env node
// The registry this project installs from serves only the Linux builds of some native optional
// dependencies (e.g. @unrs/resolver-binding-*), so `npm install` records optional edges whose
// packages it could not resolve, and `npm ci` then rejects the lockfile ("Missing: ... from
// lock file"). Run after `npm install`: drops optional edges that have no lockfile entry.
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const packages = lock.packages;
let removed = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    const nested = path ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    if (!packages[`node_modules/${name}`] && !packages[nested]) {
      delete entry.optionalDependencies[name];
      removed++;
    }
  }
}
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`removed ${removed} unresolvable optional dependency edge(s)`);
