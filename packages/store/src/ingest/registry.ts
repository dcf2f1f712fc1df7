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
  /** The small text files sent beside the data, by name (only names the kind declares). */
  readonly attachments: Readonly<Record<string, string>>;
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
  /**
   * Small text files a job of this kind may take beside the data (e.g. a column mapping for
   * declarations in another schema); the API reads each from the form field of its name.
   */
  readonly attachments?: readonly IngestAttachment[];
  /**
   * Checks the attachments before the job is recorded, so a bad one is refused at once (throw a
   * StoreError such as INVALID_ARGUMENT naming the field) and nothing is stored.
   */
  checkAttachments?(attachments: Readonly<Record<string, string>>): void;
  /** Parse and store; returns a JSON-able summary. Throw on bad input: nothing will be kept. */
  run(ctx: IngestContext): Promise<unknown>;
}

export interface IngestAttachment {
  /** Form field and key, e.g. `mapping`. */
  readonly name: string;
  readonly description: string;
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

export function listIngestKinds(): {
  kind: string;
  description: string;
  fileHint: string;
  attachments?: IngestAttachment[];
}[] {
  return [...kinds.values()]
    .map(({ kind, description, fileHint, attachments }) => ({
      kind,
      description,
      fileHint,
      ...(attachments?.length ? { attachments: attachments.map((a) => ({ ...a })) } : {}),
    }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
}
