/**
 * Screening tables, for typed Kysely access (see ./migrations.ts). Each table's interface is added
 * here as the screening repository moves from raw SQL to typed queries.
 */
export type ScreeningTables = Record<never, never>;
