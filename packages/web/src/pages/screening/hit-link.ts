// The entity page of a hit, with the name that was screened and the hit's score: a decision taken
// there records both (issue 12 §6: the ledger entry names the name actually screened and its
// score), not the listed name the screening matched.

/** What was screened to find a hit: the name as searched (or monitored) and the hit's score. */
export interface Screened {
  readonly name: string;
  readonly score: number;
}

/** `/screening/entity/<id>`, with `?name=…&score=…` when the hit came from a screening. */
export function entityPath(entityId: string, screened?: Screened): string {
  const path = `/screening/entity/${encodeURIComponent(entityId)}`;
  if (!screened) return path;
  const query = new URLSearchParams({ name: screened.name, score: String(screened.score) });
  return `${path}?${query.toString()}`;
}

/** The screening an entity page was opened from, if its address names one (scores in [0, 1]). */
export function screenedFrom(params: URLSearchParams): Screened | undefined {
  const name = params.get('name')?.trim();
  const score = Number(params.get('score'));
  if (!name || params.get('score') === null || !Number.isFinite(score) || score < 0 || score > 1)
    return undefined;
  return { name, score };
}
