// What the targeting page's views share: lanes and their badges, who may inspect or manage, an
// inspection's badge, and how a lane raise reads.
import { Badge, Text } from '@mantine/core';
import type { LaneRaise, Lane, QueueItem } from './targeting-api';

export const LANES: readonly Lane[] = ['red', 'yellow', 'blue', 'green'];
const LANE_COLOUR: Record<Lane, string> = {
  red: 'red',
  yellow: 'yellow',
  blue: 'blue',
  green: 'green',
};
const LANE_LABEL: Record<Lane, string> = {
  red: 'Red: inspect',
  yellow: 'Yellow: documents',
  blue: 'Blue: audit later',
  green: 'Green: release',
};
/** The lanes as a Select's choices, each with what it means to an officer. */
export const LANE_OPTIONS = LANES.map((l) => ({ value: l, label: LANE_LABEL[l] }));

export function LaneBadge({ lane }: { lane: Lane }) {
  return (
    <Badge
      color={LANE_COLOUR[lane]}
      variant={lane === 'red' ? 'filled' : 'light'}
      aria-label={`lane ${lane}`}
    >
      {lane}
    </Badge>
  );
}

export function canInspect(role: string): boolean {
  return role === 'admin' || role === 'analyst' || role === 'officer';
}
/** Who may release a red-lane declaration uninspected (services' TARGETING_RELEASER_ROLES). */
export function canRelease(role: string): boolean {
  return role === 'admin' || role === 'officer';
}
export function canManage(role: string): boolean {
  return role === 'admin' || role === 'analyst';
}

export function InspectionBadge({ item }: { item: Pick<QueueItem, 'inspection'> }) {
  const i = item.inspection;
  if (!i)
    return (
      <Text size="sm" c="dimmed">
        not inspected
      </Text>
    );
  if (i.fraud === 0)
    return (
      <Badge variant="outline" color="gray">
        no fraud
      </Badge>
    );
  return (
    // The darkest shades: white on orange-6 or grape-6 is under WCAG's 4.5:1 for small text.
    <Badge color={i.critical === 2 ? 'grape.9' : 'red.9'}>
      {i.critical === 2 ? 'critical fraud' : 'fraud'}
    </Badge>
  );
}

/** The ledger's subject types for targeting records (packages/services/src/targeting/records.ts). */
export const LEDGER_SUBJECT = {
  rule: 'targeting.rule',
  model: 'targeting.model',
  day: 'targeting.day',
  declaration: 'targeting.declaration',
} as const;

/** Why a declaration was picked for inspection (selection.ts SelectionReason). */
export const SELECTED_BY: Record<string, string> = {
  model: 'top score',
  rule: 'officer rule',
  raised: 'raised lane',
  random: 'random',
};

export const RAISE_LABEL: Record<string, string> = {
  watchlist: 'watchlist hit',
  intelligence: 'intelligence',
  'critical-model': 'Critical Fraud model',
};

/** A raise as shown: its source, the lane when asked, then its reason without the source twice. */
export function raiseText(r: LaneRaise, withLane = false): string {
  const label = RAISE_LABEL[r.source] ?? r.source;
  const reason = r.reason.startsWith(`${label}: `) ? r.reason.slice(label.length + 2) : r.reason;
  return `${label}${withLane ? ` → ${r.lane}` : ''}: ${reason}`;
}
