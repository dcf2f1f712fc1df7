import type { Actor } from '../actor';
import { StoreError } from '../errors';
import type { Store } from '../store';

/**
 * A record of consequence a job commits to the ledger in its own transaction (e.g. a list
 * version put in force): the ledger service seals and stages it (see IngestRequest.stage).
 */
export interface IngestLedgerRecord {
  readonly type: string;
  readonly body: unknown;
  readonly subject?: { readonly type: string; readonly id: string };
}

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
  /** Every option the kind declares, by name: the value asked for, else the option's default. */
  readonly options: Readonly<Record<string, string>>;
  /** Report progress (records, bytes, whatever the kind counts); cheap to call often. */
  progress(done: number, total?: number): void;
  /**
   * Commit a record of consequence to the ledger in this job's transaction: it is stored with the
   * data or not at all. Refused when the job was started without a ledger (IngestRequest.stage).
   */
  record(record: IngestLedgerRecord): Promise<void>;
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
  /**
   * Choices a job of this kind takes, each one of a few words (e.g. what to do with a bad row).
   * A value outside the list, or an option the kind does not declare, is refused before the job
   * is recorded; the API reads each from the form field of its name, the CLI from `--<kebab-name>`.
   */
  readonly options?: readonly IngestOption[];
  /**
   * The tables a job of this kind fills (plain table names from the capability's migrations). The
   * runner runs ANALYZE on them once the job has committed: PGlite has no autovacuum, and on
   * PostgreSQL autovacuum comes later, so without it the planner sees an empty table and picks
   * plans for a few rows (QA: the first GET /api/targeting/days after the demo load took 23 s,
   * 121 ms once the tables were analysed). See PostgreSQL's manual, "Updating Planner Statistics".
   */
  readonly tables?: readonly string[];
  /**
   * Parse and store; returns a JSON-able summary. Throw on bad input: nothing will be kept. A kind
   * that leaves out bad records when asked to (an option) lists them in the summary as `skipped`:
   * `{ line, field, reason }[]`, bounded, with `skippedRows` and `skippedNotListed` counts; the CLI
   * prints those to stderr.
   */
  run(ctx: IngestContext): Promise<unknown>;
}

export interface IngestAttachment {
  /** Form field and key, e.g. `mapping`. */
  readonly name: string;
  readonly description: string;
}

export interface IngestOption {
  /** Form field and key, camelCase, e.g. `onBadRow` (the CLI flag is `--on-bad-row`). */
  readonly name: string;
  readonly description: string;
  /** The values it takes; the first is not special, `default` is. */
  readonly values: readonly string[];
  readonly default: string;
}

/** The CLI flag of an option or attachment name: `onBadRow` → `on-bad-row`. */
export function ingestFlagName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
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
  const names = new Set<string>();
  for (const { name } of [...(kind.attachments ?? []), ...(kind.options ?? [])]) {
    // Both become form fields and CLI flags, so the names must be plain and distinct.
    if (!/^[a-z][a-zA-Z0-9]*$/.test(name) || names.has(name)) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        `ingest kind ${kind.kind}: attachment/option name "${name}" must be camelCase and unique`,
      );
    }
    names.add(name);
  }
  for (const table of kind.tables ?? []) {
    // Named in an ANALYZE statement: only plain lower-case identifiers, never anything quoted.
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        `ingest kind ${kind.kind}: table "${table}" must be a plain lower-case table name`,
      );
    }
  }
  for (const option of kind.options ?? []) {
    if (option.values.length === 0 || !option.values.includes(option.default)) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        `ingest kind ${kind.kind}: option ${option.name} must list its values, its default among them`,
      );
    }
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
  options?: { name: string; description: string; values: string[]; default: string }[];
}[] {
  return [...kinds.values()]
    .map(({ kind, description, fileHint, attachments, options }) => ({
      kind,
      description,
      fileHint,
      ...(attachments?.length ? { attachments: attachments.map((a) => ({ ...a })) } : {}),
      ...(options?.length
        ? { options: options.map((o) => ({ ...o, values: [...o.values] })) }
        : {}),
    }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
}
