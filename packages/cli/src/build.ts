// `npm run build -w @interdict/cli` (run by the root `prepare`, so `npm ci` does it): bundles the
// CLI and the workspace packages it imports into one ES module, `dist/interdict.js`, so that
// `interdict start` does not compile TypeScript through tsx's loader on every start
// (docs/benchmarks.md, startup). Third-party packages stay external, loaded from node_modules.
//
// Several modules find files relative to themselves (`import.meta.url`: the console's dist folder,
// the datasets bundle, worker entry points). Bundled, they would all share the bundle's URL, so
// each module's `import.meta.url` is pinned to its original source file. The bundle is therefore
// tied to this checkout, like node_modules; bin/interdict.js falls back to the sources whenever
// one of them is newer than the bundle.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = path.resolve(cliDir, '..');

async function externalPackages(): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of await readdir(packagesDir)) {
    let pkg: { dependencies?: object; devDependencies?: object; peerDependencies?: object };
    try {
      pkg = JSON.parse(
        await readFile(path.join(packagesDir, dir, 'package.json'), 'utf8'),
      ) as typeof pkg;
    } catch {
      continue;
    }
    for (const deps of [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies]) {
      for (const name of Object.keys(deps ?? {}))
        if (!name.startsWith('@interdict/')) names.add(name);
    }
  }
  return [...names].flatMap((name) => [name, `${name}/*`]);
}

const pinImportMetaUrl: Plugin = {
  name: 'pin-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return {
        contents: source.replaceAll(
          'import.meta.url',
          JSON.stringify(pathToFileURL(args.path).href),
        ),
        loader: args.path.endsWith('x') ? 'tsx' : 'ts',
      };
    });
  },
};

const started = performance.now();
const result = await build({
  entryPoints: [path.join(cliDir, 'src/main.ts')],
  outfile: path.join(cliDir, 'dist/interdict.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: await externalPackages(),
  plugins: [pinImportMetaUrl],
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
});
const inputs = Object.keys(result.metafile.inputs).length;
console.log(
  `built packages/cli/dist/interdict.js from ${inputs} modules in ${Math.round(performance.now() - started)} ms`,
);
