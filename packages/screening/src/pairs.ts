import { analyseName, checkQueryName, type AnalysedName, type NameStyle } from './normalize';
import { compareNames, type NameComparison, type TokenWeigher } from './compare';

export function styleOf(schema: string | undefined): NameStyle {
  if (schema === 'Person') return 'person';
  if (schema === 'LegalEntity' || schema === undefined || schema === '') return 'any';
  return 'organization';
}

/**
 * Variants of a written name: the whole, and its "/"-separated alternatives (lists write
 * "AL-QA'IDA/ISLAMIC ARMY" for two names of one body).
 */
export function nameVariants(name: string, style: NameStyle): AnalysedName[] {
  const out = [analyseName(name, style)];
  if (name.includes('/')) {
    for (const part of name.split('/')) {
      if (/[\p{L}\p{N}]/u.test(part)) out.push(analyseName(part, style));
    }
  }
  return out;
}

/** Score two names as strings (the name_bench task): best over their variants. */
export function scoreNamePair(
  name1: string,
  name2: string,
  options: { schema?: string; weigher?: TokenWeigher } = {},
): NameComparison {
  checkQueryName(name1);
  checkQueryName(name2);
  const style = styleOf(options.schema);
  let best: NameComparison | undefined;
  for (const a of nameVariants(name1, style)) {
    for (const b of nameVariants(name2, style)) {
      const c = compareNames(a, b, {
        style,
        ...(options.weigher ? { weigher: options.weigher } : {}),
      });
      if (!best || c.score > best.score) best = c;
    }
  }
  return best!;
}
