/**
 * Country names to ISO 3166-1 alpha-2. The table comes from the runtime's CLDR data
 * (Intl.DisplayNames, full ICU in Node 20 and browsers) so there is no hand-kept list to rot;
 * the aliases below cover the UN's formal names and common variants CLDR does not use.
 */
const ALIASES: Record<string, string> = {
  'russian federation': 'ru',
  'iran islamic republic of': 'ir',
  'syrian arab republic': 'sy',
  "democratic people's republic of korea": 'kp',
  'democratic peoples republic of korea': 'kp',
  'north korea': 'kp',
  'korea north': 'kp',
  'republic of korea': 'kr',
  'south korea': 'kr',
  'korea south': 'kr',
  'viet nam': 'vn',
  'united republic of tanzania': 'tz',
  'bolivia plurinational state of': 'bo',
  'venezuela bolivarian republic of': 've',
  "lao people's democratic republic": 'la',
  'republic of moldova': 'md',
  'democratic republic of the congo': 'cd',
  'congo democratic republic of the': 'cd',
  'congo kinshasa': 'cd',
  'republic of the congo': 'cg',
  'congo brazzaville': 'cg',
  'cote d ivoire': 'ci',
  "cote d'ivoire": 'ci',
  'ivory coast': 'ci',
  burma: 'mm',
  'united states of america': 'us',
  usa: 'us',
  'united kingdom of great britain and northern ireland': 'gb',
  uk: 'gb',
  'great britain': 'gb',
  'the netherlands': 'nl',
  holland: 'nl',
  'palestinian territory': 'ps',
  'state of palestine': 'ps',
  'west bank': 'ps',
  gaza: 'ps',
  'micronesia federated states of': 'fm',
  türkiye: 'tr',
  turkiye: 'tr',
  'czech republic': 'cz',
  swaziland: 'sz',
  'cape verde': 'cv',
  'east timor': 'tl',
  'bosnia-herzegovina': 'ba',
  kosovo: 'xk',
  macedonia: 'mk',
  'the former yugoslav republic of macedonia': 'mk',
};

const RESERVED = new Set([
  'BU',
  'CS',
  'DD',
  'FX',
  'NT',
  'QO',
  'QU',
  'SU',
  'TP',
  'UK',
  'UN',
  'EU',
  'EZ',
  'XA',
  'XB',
  'YD',
  'YU',
  'ZR',
  'ZZ',
]);

let table: Map<string, string> | undefined;

function key(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[(),.]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function buildTable(): Map<string, string> {
  const map = new Map<string, string>();
  const display = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const a of letters) {
    for (const b of letters) {
      const code = a + b;
      let name: string | undefined;
      try {
        name = display.of(code);
      } catch {
        name = undefined;
      }
      // Withdrawn and special-purpose codes would shadow current ones (SU for Russia, BU for Burma).
      if (name && name !== code && !RESERVED.has(code)) {
        map.set(key(name), code.toLowerCase());
        // "Myanmar (Burma)" is also plain "Myanmar".
        const short = key(name.replace(/\s*\(.*\)/, ''));
        if (!map.has(short)) map.set(short, code.toLowerCase());
      }
    }
  }
  for (const [name, code] of Object.entries(ALIASES)) map.set(key(name), code);
  return map;
}

/** ISO alpha-2 (lower case) for a country name or code, or undefined when unknown. */
export function countryCode(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed)) return trimmed.toLowerCase();
  table ??= buildTable();
  const k = key(trimmed);
  return table.get(k) ?? table.get(k.replace(/^the /, ''));
}
