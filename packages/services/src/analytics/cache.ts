/**
 * A value derived from the loaded datasets, kept until they change: `version` is the
 * repository's data version (it changes with every ingest), so a stale value is never served
 * once a new release is in force. One per service instance: a process remembers nothing
 * between two sets of services.
 */
export class DataVersionCache<T> {
  private held: { version: string; value: T } | undefined;

  async get(version: string, load: () => Promise<T>): Promise<T> {
    if (this.held?.version === version) return this.held.value;
    const value = await load();
    this.held = { version, value };
    return value;
  }
}
