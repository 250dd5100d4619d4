// Errors the security API turns into answers. Their messages reach people and logs, so they
// name collectors (base URLs from COLLECTOR_ADMIN_URLS) and counts, never a client address.

/** One collector's failure, as shown in `errors` and in CollectorsUnavailable. */
export interface CollectorError {
  collector: string;
  error: string;
}

/**
 * Not enough collectors answered to give a true answer: all of them failed, or the ones that
 * answered do not hold the address while others could not be asked. The route answers 502.
 */
export class CollectorsUnavailable extends Error {
  override readonly name = 'CollectorsUnavailable';
  constructor(
    message: string,
    readonly errors: CollectorError[],
  ) {
    super(message);
  }
}

/**
 * A flagged page that fan-out cannot reach: each collector is asked for its first page*limit
 * entries, capped, so pages past the cap would come back empty while meta.total says otherwise.
 * The route answers 400.
 */
export class PageTooDeep extends Error {
  override readonly name = 'PageTooDeep';
}

/** Present when some collectors did not answer: the rest of the answer covers only the others. */
export interface PartialAnswer {
  partial?: true;
  errors?: CollectorError[];
}

/** DELETE's answer when erasing over several collectors. */
export interface EraseReport extends PartialAnswer {
  erased: boolean;
  erased_by?: string[];
}
