/**
 * Lets the event loop serve I/O. On SQLite every query completes as a microtask (the driver is
 * synchronous), so a long job that only awaits queries never gives an HTTP request a turn: the
 * server stops answering until it ends. Jobs that run for seconds (report generation, the KPI
 * rollup's rebuild, the scheduler's loops) call this between their steps.
 */
export const yieldToIo = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
