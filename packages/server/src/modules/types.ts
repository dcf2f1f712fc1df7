import type { App, ModuleDeps } from '../env';

/** What every `modules/<capability>.ts` exports. */
export interface ServerModule {
  register(app: App, deps: ModuleDeps): void;
}
