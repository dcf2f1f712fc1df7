#!/usr/bin/env node
// The `interdict` command. It runs the bundle `dist/interdict.js` (built by `npm ci` through the
// root `prepare` script; see src/build.ts) when that is newer than every TypeScript source of the
// workspace packages; otherwise, or with INTERDICT_NO_BUNDLE=1, the sources themselves through
// tsx's loader, so an edit is never hidden behind a stale bundle.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(here, '../dist/interdict.js');

function newestSource(dir, limit) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let newest = 0;
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      newest = Math.max(newest, newestSource(p, limit));
    } else if (/\.tsx?$/.test(e.name)) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
    if (newest > limit) return newest; // stale already: stop looking
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.INTERDICT_NO_BUNDLE) return false;
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  const packages = path.join(here, '../..');
  for (const name of readdirSync(packages)) {
    if (name === 'web') continue; // the console is served from its own build, not imported
    if (newestSource(path.join(packages, name, 'src'), built) > built) return false;
  }
  return true;
}

if (bundleIsFresh()) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
