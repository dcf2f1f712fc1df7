/**
 * Targeting tables, for typed Kysely access (see ./migrations.ts). Each table's interface is added
 * here as the targeting repository moves from raw SQL to typed queries.
 */
export type TargetingTables = Record<never, never>;
