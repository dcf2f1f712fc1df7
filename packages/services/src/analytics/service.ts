import { fieldOfficeOf, TRAFFIC_UNITS } from '@interdict/analytics';
import {
  AnalyticsRepository,
  type Actor,
  type CrossingPortName,
  type Role,
  type RowDataset,
  type Store,
  type TrafficAreas,
} from '@interdict/store';
import { requireRole } from '../access';
import type { LedgerService } from '../ledger/service';
import type { SummaryItem } from '../services';
import type { ServicesSettings } from '../settings';
import { DataVersionCache } from './cache';
import { crossingPortsView, crossingSeriesView } from './crossings';
import { changesView, placesView, releasesView, sourceRowsView } from './provenance';
import type {
  DatasetChangesQuery,
  CrossingPortsQuery,
  CrossingSeriesQuery,
  DrugMixQuery,
  ForecastQuery,
  PlacesQuery,
  SeizureRatesQuery,
  SeizureSeriesQuery,
  SourceRowsQuery,
  UnodcQuery,
  UnodcSharesQuery,
  UnusualMonthsQuery,
} from './queries';
import {
  drugMixView,
  forecastView,
  seizureRatesView,
  seizureSeriesView,
  unusualMonthsView,
  type SeizureSources,
} from './seizures';
import { analyticsSummary } from './summary';
import { unodcSharesView, unodcTotalsView, unodcTrendsView } from './unodc';
import type {
  AnalyticsFacets,
  CrossingPortsView,
  DatasetChangeView,
  DatasetReleaseView,
  DrugMixView,
  ForecastView,
  PlacesView,
  SeizureRatesView,
  SeriesView,
  SourceRowsView,
  UnodcSharesView,
  UnodcTotalsView,
  UnodcTrendsView,
  UnusualMonthsView,
} from './views';

/**
 * Who may read the analytics views. The data is public reference data loaded for the whole
 * instance, so every role inside an agency, hub or insurer may read it; federation partners
 * (role `partner`) get shared intelligence only, not this instance's loaded datasets.
 */
export const ANALYTICS_READER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer', 'viewer'];

/** What the composition root hands the analytics service. */
export interface AnalyticsDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
}

/**
 * The analytics use cases: trends, drug mix, seizures per unit of traffic, unusual months,
 * forecasts and maps over the public datasets, every figure linked to its source rows. Each
 * read checks the reader's role before any query. A dataset release is put in force by its
 * ingest job, which records it on the ledger in the job's transaction (store/src/analytics/
 * loader.ts, `analytics.release`; run through the ingest service).
 */
export class AnalyticsService {
  private readonly repo: AnalyticsRepository;
  /** The facets scan every row (400k crossings); they change only when an ingest does. */
  private readonly facetsCache = new DataVersionCache<AnalyticsFacets>();
  /** Each land port's name and state, scanned from the crossing rows once per data version. */
  private readonly portNamesCache = new DataVersionCache<CrossingPortName[]>();
  private readonly seizureSources: SeizureSources;

  constructor(private readonly deps: AnalyticsDeps) {
    this.repo = new AnalyticsRepository(deps.store);
    this.seizureSources = { repo: this.repo, fieldOfficeAreas: () => this.fieldOfficeAreas() };
  }

  /** Refuses callers who may not read the datasets, before any work is done. */
  private reader(actor: Actor): void {
    requireRole(actor, ...ANALYTICS_READER_ROLES);
  }

  /** Ports → OFO field office (ports outside every field office are left out). */
  private async fieldOfficeAreas(): Promise<TrafficAreas> {
    const version = await this.repo.dataVersion();
    const ports = await this.portNamesCache.get(version, () => this.repo.crossingPortNames());
    const areaOf = new Map<string, string>();
    for (const p of ports) {
      const office = fieldOfficeOf({ state: p.state, portName: p.portName });
      if (office !== null) areaOf.set(p.portCode, office);
    }
    return { column: 'port_code', areaOf };
  }

  /** Monthly CBP seizures per group value, with year-over-year change and fiscal-year totals. */
  async seizureSeries(actor: Actor, q: SeizureSeriesQuery): Promise<SeriesView> {
    this.reader(actor);
    return seizureSeriesView(this.repo, q);
  }

  /** Each drug's share of seizure pounds and events. */
  async drugMix(actor: Actor, q: DrugMixQuery): Promise<DrugMixView> {
    this.reader(actor);
    return drugMixView(this.repo, q);
  }

  /** Seizure events and pounds per 100,000 units of traffic, by border region or field office. */
  async seizureRates(actor: Actor, q: SeizureRatesQuery): Promise<SeizureRatesView> {
    this.reader(actor);
    return seizureRatesView(this.seizureSources, q);
  }

  /** Months unusual against a robust seasonal baseline, most unusual first. */
  async unusualMonths(actor: Actor, q: UnusualMonthsQuery): Promise<UnusualMonthsView> {
    this.reader(actor);
    return unusualMonthsView(this.repo, q);
  }

  /** A short-horizon forecast per series, with intervals. */
  async forecast(actor: Actor, q: ForecastQuery): Promise<ForecastView> {
    this.reader(actor);
    return forecastView(this.repo, q);
  }

  /** Monthly inbound border crossings per group value. */
  async crossingSeries(actor: Actor, q: CrossingSeriesQuery): Promise<SeriesView> {
    this.reader(actor);
    return crossingSeriesView(this.repo, q);
  }

  /** Every land port with its coordinates and its total of one measure. */
  async crossingPorts(actor: Actor, q: CrossingPortsQuery): Promise<CrossingPortsView> {
    this.reader(actor);
    return crossingPortsView(this.repo, q);
  }

  /** UNODC kilograms by country, drug and year, and the world total per year. */
  async unodcTotals(actor: Actor, q: UnodcQuery): Promise<UnodcTotalsView> {
    this.reader(actor);
    return unodcTotalsView(this.repo, q);
  }

  /** Regional shares of the world total for one drug and year. */
  async unodcShares(actor: Actor, q: UnodcSharesQuery): Promise<UnodcSharesView> {
    this.reader(actor);
    return unodcSharesView(this.repo, q);
  }

  /** Each country's trend for one drug, steepest rise first. */
  async unodcTrends(actor: Actor, q: UnodcQuery): Promise<UnodcTrendsView> {
    this.reader(actor);
    return unodcTrendsView(this.repo, q);
  }

  /** Seaports or UN/LOCODE border crossings and ports with coordinates. */
  async places(actor: Actor, q: PlacesQuery): Promise<PlacesView> {
    this.reader(actor);
    return placesView(this.repo, q);
  }

  /** The source rows behind a figure, each with its file and line. */
  async sourceRows<D extends RowDataset>(
    actor: Actor,
    dataset: D,
    q: SourceRowsQuery,
  ): Promise<SourceRowsView<D>> {
    this.reader(actor);
    return sourceRowsView(this.repo, dataset, q);
  }

  /** The values each filter takes (for pickers), recomputed only when a dataset changes. */
  async facets(actor: Actor): Promise<AnalyticsFacets> {
    this.reader(actor);
    const version = await this.repo.dataVersion();
    return this.facetsCache.get(version, async () => ({
      seizures: await this.repo.seizureFacets(),
      crossings: await this.repo.crossingFacets(),
      unodc: await this.repo.unodcFacets(),
      trafficUnits: TRAFFIC_UNITS,
    }));
  }

  /** The loaded dataset releases: file, checksum, rows, period, ingest job. */
  async releases(actor: Actor): Promise<DatasetReleaseView[]> {
    this.reader(actor);
    return releasesView(this.repo);
  }

  /** What revised files changed, row by row, newest first. */
  async changes(actor: Actor, q: DatasetChangesQuery): Promise<DatasetChangeView[]> {
    this.reader(actor);
    return changesView(this.repo, q);
  }

  /**
   * The summary lines: each dataset's row count. The datasets are public reference data, so
   * any signed-in caller may count them (services.ts, SummarySource); the rows themselves stay
   * behind the reader roles above.
   */
  async summary(actor: Actor): Promise<SummaryItem[]> {
    void actor;
    return analyticsSummary(this.repo);
  }

  /** Releases what this service started (nothing: its caches go with it). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
