import type { ModuleDeps, App } from '../../env';
import { registerCrossingViews } from './crossings';
import { registerFacets } from './facets';
import { registerPlaceViews } from './places';
import { registerProvenanceViews } from './provenance';
import { registerSeizureViews } from './seizures';
import { registerUnodcViews } from './unodc';

// The analytics API (GET /api/analytics/*): trends, drug mix, seizures per unit of traffic,
// unusual months, forecasts and maps over the public datasets, every figure linked to its source
// rows, every view also a CSV download. Each route is its schemas and one call into the analytics
// service (packages/services/src/analytics); the summary lines come from the service too.

export function register(app: App, deps: ModuleDeps): void {
  const analytics = deps.services.analytics;
  registerSeizureViews(app, analytics);
  registerCrossingViews(app, analytics);
  registerUnodcViews(app, analytics);
  registerPlaceViews(app, analytics);
  registerProvenanceViews(app, analytics);
  registerFacets(app, analytics);
}
