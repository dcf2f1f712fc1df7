import type { Actor } from '../actor';
import { StoreError } from '../errors';
import type { Store } from '../store';

export interface IngestContext {
  /** The store bound to this job's transaction: everything written through it commits or rolls back together. */
  readonly store: Store;
  readonly actor: Actor;
  readonly jobId: string;
  readonly sourceName: string;
  /** The uploaded bytes, already gunzipped when they were gzip-compressed. */
  readonly input: AsyncIterable<Uint8Array>;
  /** Report progress (records, bytes, whatever the kind counts); cheap to call often. */
  progress(done: number, total?: number): void;
  readonly signal: AbortSignal;
}

export interface IngestKind {
  /** The name used on the command line and in the API, e.g. `bts-crossings`. */
  readonly kind: string;
  readonly description: string;
  /** What file to give it, e.g. "Border_Crossing_Entry_Data.csv (BTS), optionally .gz". */
  readonly fileHint: string;
  /** Parse and store; returns a JSON-able summary. Throw on bad input: nothing will be kept. */
  run(ctx: IngestContext): Promise<unknown>;
}

const kinds = new Map<string, IngestKind>();

/**
 * Registers an ingest kind; returns a function that removes it again (for tests). Capabilities
 * call this from `src/<capability>/ingest.ts`, imported with one line in `ingest/kinds.ts`.
 */
export function registerIngestKind(kind: IngestKind): () => void {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(kind.kind)) {
    throw new StoreError('INVALID_ARGUMENT', `ingest kind name ${kind.kind} must be kebab-case`);
  }
  if (kinds.has(kind.kind)) {
    throw new StoreError('CONFLICT', `ingest kind ${kind.kind} is registered twice`);
  }
  kinds.set(kind.kind, kind);
  return () => {
    if (kinds.get(kind.kind) === kind) kinds.delete(kind.kind);
  };
}

export function getIngestKind(kind: string): IngestKind | undefined {
  return kinds.get(kind);
}

export function listIngestKinds(): { kind: string; description: string; fileHint: string }[] {
  return [...kinds.values()]
    .map(({ kind, description, fileHint }) => ({ kind, description, fileHint }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
}
