// `npm run bench -- <name> [args…]` runs bench/<name>/index.ts (or bench/<name>.ts), which prints
// its figures. Figures and the command behind each go into docs/benchmarks.md by hand.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
// Benches that live beside another bench's files, by name.
const extra: Record<string, string> = {
  'screening-api': 'screening/api.ts',
  'ledger-decisions': 'ledger/decisions.ts',
};
const available = readdirSync(here, { withFileTypes: true })
  .filter(
    (d) =>
      (d.isDirectory() && existsSync(path.join(here, d.name, 'index.ts'))) ||
      /^[a-z-]+\.ts$/.test(d.name),
  )
  .map((d) => d.name.replace(/\.ts$/, ''))
  .filter((n) => n !== 'run')
  .concat(Object.keys(extra));

if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(', ') || 'none'})`);
  process.exit(2);
}
const file = extra[name]
  ? path.join(here, extra[name])
  : existsSync(path.join(here, name, 'index.ts'))
    ? path.join(here, name, 'index.ts')
    : path.join(here, `${name}.ts`);
process.argv.splice(2, 1);
await import(pathToFileURL(file).href);
