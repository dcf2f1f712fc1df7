import type { Entity } from './model';

export interface ListDiff {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

/** What a newer version of a list added, changed and removed, by entity id. */
export function diffLists(previous: readonly Entity[], next: readonly Entity[]): ListDiff {
  const before = new Map(previous.map((e) => [e.id, JSON.stringify(e)]));
  const added: string[] = [];
  const changed: string[] = [];
  const present = new Set<string>();
  for (const e of next) {
    present.add(e.id);
    const old = before.get(e.id);
    if (old === undefined) added.push(e.id);
    else if (old !== JSON.stringify(e)) changed.push(e.id);
  }
  const removed = previous.map((e) => e.id).filter((id) => !present.has(id));
  return { added, changed, removed };
}
