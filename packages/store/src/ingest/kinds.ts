/**
 * Each capability registers its ingest kinds in `src/<capability>/ingest.ts` and adds ONE import
 * line here, e.g. `import '../analytics/ingest';`.
 */
import '../analytics/ingest';
import '../screening/ingest';
import '../targeting/ingest';
export {};
