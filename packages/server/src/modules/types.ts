import type { Store } from '@interdict/store';
import type { App, ModuleDeps } from '../env';

/** What every `modules/<capability>.ts` exports. */
export interface ServerModule {
  register(app: App, deps: ModuleDeps): void;
  /** Release what the module started for `store` (worker threads, timers) at server shutdown. */
  close?(store: Store): Promise<void>;
}
