// Synthetic declarations for this package's tests (not exported from the package).
import type { Declaration } from './declarations';
import { parseDate } from './declarations';
import { Prng } from './prng';

export function declaration(overrides: Partial<Declaration> & { date?: string } = {}): Declaration {
  const date = overrides.date ?? '2020-01-01';
  const parsed = parseDate(date);
  if (!parsed) throw new Error(`bad test date ${date}`);
  return {
    id: 'D1',
    office: '30',
    processType: 'B',
    importType: '11',
    importUse: '21',
    paymentType: '11',
    transportMode: '10',
    declarant: 'DECL001',
    importer: 'IMP0001',
    seller: 'SEL0001',
    courier: '',
    hsCode: '440890',
    departure: 'BE',
    origin: 'BE',
    taxRate: 8,
    taxType: 'A',
    originIndicator: 'G',
    netMass: 100,
    itemPrice: 100_000,
    fraud: 0,
    critical: 0,
    ...overrides,
    date,
    day: parsed.day,
  };
}

/**
 * A random but reproducible set of declarations over `days` days from 2020-01-01, with few
 * distinct parties and codes so that history features have something to count.
 */
export function randomDeclarations(seed: number, count: number, days = 30): Declaration[] {
  const prng = new Prng(seed);
  const pick = <T>(items: readonly T[]): T => items[prng.int(items.length)] as T;
  const out: Declaration[] = [];
  for (let i = 0; i < count; i++) {
    const day = prng.int(days);
    const date = new Date(Date.UTC(2020, 0, 1 + day)).toISOString().slice(0, 10);
    const fraud = prng.next() < 0.3 ? 1 : 0;
    out.push(
      declaration({
        id: `D${i}`,
        date,
        importer: pick(['I1', 'I2', 'I3', 'I4', 'I5']),
        declarant: pick(['A1', 'A2', 'A3']),
        seller: pick(['S1', 'S2', '']),
        courier: pick(['', '', 'C1']),
        office: pick(['10', '20', '30']),
        hsCode: pick(['440890', '690722', '850440', '030617']),
        origin: pick(['CN', 'BE', 'US']),
        departure: pick(['CN', 'BE', 'US']),
        taxRate: pick([0, 8, 13]),
        taxType: pick(['A', 'FEU1']),
        netMass: 1 + prng.int(1000),
        itemPrice: 1000 + prng.int(1_000_000),
        fraud,
        critical: fraud === 1 ? (prng.next() < 0.2 ? 2 : 1) : 0,
      }),
    );
  }
  return out;
}
