/**
 * Common hypocorisms (nickname ↔ given name), as logic-v2 treats them with its NICK symbols.
 * A short list of well-known English, Russian, Spanish and Hebrew forms; each line is one given
 * name followed by its usual short forms.
 */
const GROUPS: readonly string[] = [
  'william bill billy will willy liam',
  'robert bob bobby rob robbie bert',
  'richard dick rick ricky rich',
  'james jim jimmy jamie',
  'michael mike mikey mick',
  'thomas tom tommy',
  'anthony tony',
  'joseph joe joey',
  'john jack johnny',
  'charles charlie chuck',
  'edward ed eddie ted ned',
  'elizabeth liz lizzie beth betty',
  'margaret maggie meg peggy',
  'katherine kate kathy katie',
  'catherine kate cathy',
  'jennifer jen jenny',
  'patricia pat patty tricia',
  'alexander alex sasha sandy',
  'alexandra alex sasha',
  'alexey alyosha lyosha',
  'dmitry dima mitya',
  'vladimir vova volodya',
  'ivan vanya',
  'mikhail misha',
  'nikolai kolya',
  'sergei seryozha',
  'yevgeny zhenya',
  'benjamin ben benny bibi',
  'francisco paco pancho',
  'jose pepe',
  'ignacio nacho',
  'guillermo memo',
  'daniel dan danny',
  'david dave',
  'samuel sam sammy',
  'steven steve',
  'stephen steve',
  'nicholas nick nicky',
  'christopher chris',
  'matthew matt',
  'andrew andy drew',
  'peter pete',
  'frederick fred freddie',
];

const table = new Map<string, Set<string>>();
for (const line of GROUPS) {
  const names = line.split(' ');
  for (const a of names) {
    const set = table.get(a) ?? new Set<string>();
    for (const b of names) if (b !== a) set.add(b);
    table.set(a, set);
  }
}

/** Whether two lower-case name parts are a given name and one of its usual short forms. */
export function isNickname(a: string, b: string): boolean {
  return table.get(a)?.has(b) ?? false;
}
