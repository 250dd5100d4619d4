// Loads data whenever the inputs it reads change, cancelling the request it replaces so a slow
// old answer can never overwrite a newer one. The last good data stays visible while reloading.
import { untrack } from 'svelte';

export interface Loaded<T> {
  data: T | null;
  error: string;
  loading: boolean;
}

/**
 * makeRequest runs inside an effect: every reactive value it reads (props, state) re-triggers the
 * load. It returns the request to run, which is not tracked. Call during component initialisation.
 */
export function useLoad<T>(makeRequest: () => (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const state = $state<Loaded<T>>({ data: null, error: '', loading: true });
  $effect(() => {
    const request = makeRequest();
    const controller = new AbortController();
    untrack(() => {
      state.loading = true;
      request(controller.signal).then(
        (data) => {
          if (controller.signal.aborted) return;
          state.data = data;
          state.error = '';
          state.loading = false;
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          state.error = err instanceof Error ? err.message : String(err);
          state.loading = false;
        },
      );
    });
    return () => controller.abort();
  });
  return state;
}
