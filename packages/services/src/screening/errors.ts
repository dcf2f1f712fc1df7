import { InterdictError } from '@interdict/core';

/**
 * Screening that cannot run right now (the edges answer 503, see ERROR_TABLE):
 * - `SCREENING_WARMING_UP`: the worker threads are still building the index for the list versions
 *   in force (`details.retryAfter`, in seconds, says when to ask again);
 * - `SCREENING_UNAVAILABLE`: the worker threads failed or stopped.
 */
export type ScreeningServiceErrorCode = 'SCREENING_WARMING_UP' | 'SCREENING_UNAVAILABLE';

export class ScreeningServiceError extends InterdictError<ScreeningServiceErrorCode> {}
