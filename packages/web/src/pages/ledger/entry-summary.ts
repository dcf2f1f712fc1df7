// What a ledger entry records, in an officer's words: a title ("Rule created", "Role changed")
// and a few lines read from the committed body. The record types are the services' (targeting:
// packages/services/src/targeting/records.ts, platform: …/platform/records.ts, screening:
// …/screening/decisions.ts). The body comes from the server, so it is read defensively: a field
// that is missing or of another type is left out, never guessed; an unknown record type is shown
// by its name. Only for display: what is verified is the body itself (verify.ts).

export interface EntrySummary {
  title: string;
  /** Lines naming the change; empty when the body is not readable or says nothing we know. */
  lines: string[];
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const short = (id: string) => id.slice(0, 8);
const count = (n: number) => n.toLocaleString();

const OBJECTIVE: Record<string, string> = { fraud: 'Fraud', critical: 'Critical Fraud' };
const SELECTED_BY: Record<string, string> = {
  model: 'top score',
  rule: 'officer rule',
  raised: 'raised lane',
  random: 'random share',
};
const ROLE_ARTICLE: Record<string, string> = { admin: 'an', analyst: 'an', officer: 'an' };

/** Who decided: "you", an email, else the role (the targeting records name a user id only). */
function byLine(body: Json, selfId: string | undefined): string | undefined {
  // Screening decisions name the user at the top level.
  const by = obj(body.by) ?? (str(body.userId) ? { userId: body.userId } : undefined);
  if (!by) return undefined;
  const userId = str(by.userId);
  const email = str(by.email);
  const role = str(by.role);
  const token = str(by.tokenId) ? ' through an API token' : '';
  if (userId !== undefined && userId === selfId) return `By you${token}.`;
  if (email) return `By ${email}${role ? ` (${role})` : ''}${token}.`;
  if (by.userId === null) return `By the instance's operator (command line)${token}.`;
  if (role)
    return `By ${ROLE_ARTICLE[role] ?? 'a'} ${role}${userId ? ` (user ${short(userId)})` : ''}${token}.`;
  return undefined;
}

function ruleLines(rule: Json | undefined): string[] {
  if (!rule) return [];
  const conditions = [
    str(rule.hsPrefix) && `HS ${str(rule.hsPrefix)}*`,
    str(rule.origin) && `origin ${str(rule.origin)}`,
    str(rule.departure) && `departure ${str(rule.departure)}`,
    str(rule.importer) && `importer ${str(rule.importer)}`,
    str(rule.declarant) && `declarant ${str(rule.declarant)}`,
    str(rule.office) && `office ${str(rule.office)}`,
  ].filter(Boolean);
  const lane = str(rule.lane);
  const from = str(rule.validFrom);
  const to = str(rule.validTo);
  return [
    ...(lane
      ? [
          `${lane[0]?.toUpperCase()}${lane.slice(1)} lane for ${conditions.join(', ') || 'every declaration'}${
            from || to ? `, valid ${from ?? '…'} – ${to ?? '…'}` : ''
          }.`,
        ]
      : []),
    ...(str(rule.explanation) ? [`“${str(rule.explanation)}”`] : []),
  ];
}

function outcome(v: unknown): string | undefined {
  const i = obj(v);
  if (!i) return undefined;
  if (i.fraud === 0) return 'no fraud';
  if (i.fraud === 1) return i.critical === 2 ? 'critical fraud' : 'fraud';
  return undefined;
}

function daySelectionLines(body: Json): string[] {
  const lanes = obj(body.lanes);
  const counts = obj(body.counts);
  const declarations = num(body.declarations);
  // A declaration picked for inspection carries an `inspect:<why>` reason code (records.ts).
  let toInspect = 0;
  for (const lane of ['red', 'yellow', 'blue', 'green'])
    for (const row of list(lanes?.[lane]))
      if (list(row).some((code) => str(code)?.startsWith('inspect:'))) toInspect++;
  const capacity = obj(body.capacity);
  const capacityText =
    num(capacity?.count) !== undefined
      ? `${count(num(capacity?.count) ?? 0)} declarations`
      : num(capacity?.percent) !== undefined
        ? `${num(capacity?.percent)}% of the day`
        : undefined;
  const share = num(body.randomShare);
  const models = obj(body.models);
  const fraud = str(models?.fraud);
  const critical = str(models?.critical);
  const rules = list(body.rules).length;
  return [
    ...(lanes && declarations !== undefined
      ? [
          `${count(toInspect)} of ${count(declarations)} declarations to inspect${
            capacityText ? ` within a capacity of ${capacityText}` : ''
          }${share !== undefined ? ` (${Math.round(share * 100)}% of it kept for a random share)` : ''}.`,
        ]
      : []),
    ...(counts
      ? [
          ['red', 'yellow', 'blue', 'green']
            .map((l) => `${l} ${count(num(counts[l]) ?? 0)}`)
            .join(' · '),
        ]
      : []),
    ...(fraud
      ? [
          `Fraud model ${short(fraud)}${critical ? `, Critical Fraud model ${short(critical)}` : ''}; ${rules} officer rule${rules === 1 ? '' : 's'} in force.`,
        ]
      : []),
  ];
}

function describeTargeting(type: string, body: Json): EntrySummary | undefined {
  switch (type) {
    case 'targeting.rule.created':
      return { title: 'Rule created', lines: ruleLines(obj(body.after)) };
    case 'targeting.rule.removed':
      return { title: 'Rule removed', lines: ruleLines(obj(body.before)) };
    case 'targeting.model.trained': {
      const data = obj(body.data);
      const metrics = obj(body.metrics);
      const objective = OBJECTIVE[str(body.objective) ?? ''] ?? str(body.objective);
      const declarations = num(data?.declarations);
      const positives = num(data?.positives);
      const trees = num(metrics?.trees);
      return {
        title: 'Model trained',
        lines: [
          ...(objective && declarations !== undefined
            ? [
                `${objective} model, learnt from ${count(declarations)} inspected declarations${
                  positives !== undefined ? ` (${count(positives)} positive)` : ''
                }${str(data?.firstDate) ? ` dated ${str(data?.firstDate)} to ${str(data?.lastDate) ?? '…'}` : ''}${
                  trees !== undefined ? `; ${count(trees)} trees` : ''
                }.`,
              ]
            : []),
          ...(str(body.modelSha256)
            ? [`Model file SHA-256 ${str(body.modelSha256)?.slice(0, 16)}…`]
            : []),
        ],
      };
    }
    case 'targeting.model.activated': {
      const objective = OBJECTIVE[str(body.objective) ?? ''] ?? str(body.objective);
      const replaces = list(body.replaces).map(str).filter(Boolean) as string[];
      return {
        title: 'Model made active',
        lines: objective
          ? [
              `Now the active ${objective} model${
                replaces.length > 0 ? `, replacing ${replaces.map(short).join(', ')}` : ''
              }.`,
            ]
          : [],
      };
    }
    case 'targeting.model.deactivated': {
      const by = str(body.replacedBy);
      return {
        title: 'Model retired',
        lines: by ? [`Replaced by model ${short(by)} as the active one.`] : [],
      };
    }
    case 'targeting.day.selected':
      return { title: 'Day’s selection recorded', lines: daySelectionLines(body) };
    case 'targeting.inspection.recorded': {
      const after = outcome(body.after);
      const before = outcome(body.before);
      const note = str(obj(body.after)?.note);
      return {
        title: 'Inspection result recorded',
        lines: [
          ...(after ? [`Result: ${after}${before ? ` (it was ${before})` : ''}.`] : []),
          ...(note ? [`Note: “${note}”`] : []),
        ],
      };
    }
    case 'targeting.declaration.released': {
      const lane = str(obj(body.lane)?.before);
      const selectedBy = str(body.selectedBy);
      return {
        title: 'Released without inspection',
        lines: [
          ...(str(body.reason) ? [`Reason: “${str(body.reason)}”`] : []),
          ...(lane
            ? [
                `It was in the ${lane} lane${
                  selectedBy
                    ? `, picked for inspection (${SELECTED_BY[selectedBy] ?? selectedBy})`
                    : ''
                }.`,
              ]
            : []),
        ],
      };
    }
    default:
      return undefined;
  }
}

function describePlatform(type: string, body: Json): EntrySummary | undefined {
  const action = str(body.action);
  if (type === 'platform.user') {
    const user = obj(body.user);
    const email = str(user?.email) ?? 'the user';
    if (action === 'created')
      return {
        title: 'User created',
        lines: [`${email}${str(user?.role) ? `, with the ${str(user?.role)} role` : ''}.`],
      };
    if (action === 'changed') {
      const before = obj(body.before);
      const after = obj(body.after);
      const changed = list(body.changed);
      const lines: string[] = [];
      const titles: string[] = [];
      if (changed.includes('role')) {
        titles.push('Role changed');
        lines.push(`${email}: ${str(before?.role) ?? '?'} → ${str(after?.role) ?? '?'}.`);
      }
      if (changed.includes('disabled')) {
        titles.push(after?.disabled === true ? 'User disabled' : 'User re-enabled');
        if (!changed.includes('role')) lines.push(`${email}.`);
      }
      return { title: titles.join('; ') || 'User changed', lines };
    }
  }
  if (type === 'platform.token') {
    const token = obj(body.token);
    const name = str(token?.name);
    const role = str(token?.role);
    const expires = str(token?.expiresAt);
    if (action === 'created')
      return {
        title: 'API token created',
        lines: name
          ? [
              `“${name}”${role ? `, with the ${role} role` : ''}${
                expires ? `, expiring ${new Date(expires).toLocaleDateString()}` : ''
              }.`,
            ]
          : [],
      };
    if (action === 'revoked')
      return { title: 'API token revoked', lines: name ? [`“${name}”.`] : [] };
  }
  return undefined;
}

function describeScreening(type: string, body: Json): EntrySummary | undefined {
  if (type !== 'screening.decision') return undefined;
  const decision = str(body.decision);
  const name = str(body.queryName);
  const score = num(body.score);
  return {
    title:
      decision === 'confirmed'
        ? 'Hit confirmed'
        : decision === 'dismissed'
          ? 'Hit dismissed'
          : 'Screening decision',
    lines: [
      ...(name
        ? [`Name screened: “${name}”${score !== undefined ? `, score ${score.toFixed(3)}` : ''}.`]
        : []),
      ...(str(body.note) ? [`Note: “${str(body.note)}”`] : []),
    ],
  };
}

/**
 * The entry as an officer reads it. `body` is null when it is not readable (another
 * organisation's record, or erased): then only the record type is known.
 */
export function describeEntry(
  entry: { recordType: string; body?: unknown },
  selfId?: string,
): EntrySummary {
  const body = obj(entry.body);
  if (!body) return { title: entry.recordType, lines: [] };
  const summary = describeTargeting(entry.recordType, body) ??
    describePlatform(entry.recordType, body) ??
    describeScreening(entry.recordType, body) ?? { title: entry.recordType, lines: [] };
  const by = byLine(body, selfId);
  return by ? { ...summary, lines: [...summary.lines, by] } : summary;
}
