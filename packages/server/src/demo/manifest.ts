import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the demo-data bundle, as `datasets/manifest.json` describes it. */
export interface DemoFile {
  /** Path inside the datasets folder, e.g. `border-crossings/border_ports.csv.gz`. */
  readonly file: string;
  /** The ingest kind that reads it (registered by its capability), e.g. `bts-ports`. */
  readonly kind: string;
  /** Files load in ascending order, one job at a time. */
  readonly order: number;
  /** False for files kept in the bundle for the tools but not loaded on first start. */
  readonly load: boolean;
  readonly rows: number;
  readonly description: string;
}

export interface DemoManifest {
  readonly version: 1;
  readonly files: readonly DemoFile[];
}

/**
 * The bundle shipped in the repository: `datasets/` at the root of the clone. Overridable with
 * `INTERDICT_DATASETS` (e.g. for a packaged build that keeps the bundle elsewhere).
 */
export function defaultDatasetsDir(): string {
  return (
    process.env.INTERDICT_DATASETS ??
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../datasets')
  );
}

function fail(where: string, message: string): never {
  throw new Error(`datasets manifest ${where}: ${message}`);
}

/** Reads and checks `manifest.json`; entries come back sorted by `order`. */
export async function readDemoManifest(datasetsDir = defaultDatasetsDir()): Promise<DemoManifest> {
  const where = path.join(datasetsDir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(where, 'utf8'));
  } catch (error) {
    fail(where, error instanceof Error ? error.message : String(error));
  }
  if (typeof raw !== 'object' || raw === null || !('files' in raw) || !Array.isArray(raw.files)) {
    fail(where, 'expected an object with a "files" array');
  }
  const files = (raw.files as unknown[]).map((entry, i): DemoFile => {
    const e = entry as Partial<Record<keyof DemoFile, unknown>>;
    if (
      typeof e.file !== 'string' ||
      typeof e.kind !== 'string' ||
      typeof e.order !== 'number' ||
      typeof e.description !== 'string'
    ) {
      fail(where, `entry ${i} needs string file, kind, description and a numeric order`);
    }
    // Entries name files inside the bundle; refuse anything that would climb out of it.
    if (path.isAbsolute(e.file) || e.file.split(/[\\/]/).includes('..')) {
      fail(where, `entry ${i} names a file outside the datasets folder: ${e.file}`);
    }
    return {
      file: e.file,
      kind: e.kind,
      order: e.order,
      load: e.load !== false,
      rows: typeof e.rows === 'number' ? e.rows : 0,
      description: e.description,
    };
  });
  return { version: 1, files: files.sort((a, b) => a.order - b.order) };
}
