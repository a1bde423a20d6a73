/**
 * Wraps `fn` so that calls never overlap and a burst of calls runs it at most
 * twice: a call while a run is under way asks for one more run after it (the
 * requests of that run are merged). Errors go to `onError`; the next call runs
 * again. `idle()` resolves once no run is under way or asked for.
 */
export interface Coalesced {
  (): void;
  idle(): Promise<void>;
}

export function coalesce(fn: () => Promise<void>, onError: (error: unknown) => void = () => undefined): Coalesced {
  let running: Promise<void> | undefined;
  let again = false;
  async function loop(): Promise<void> {
    do {
      again = false;
      try {
        await fn();
      } catch (error) {
        onError(error);
      }
    } while (again);
    running = undefined;
  }
  function trigger(): void {
    if (running) {
      again = true;
      return;
    }
    running = loop();
  }
  trigger.idle = async (): Promise<void> => {
    while (running) await running;
  };
  return trigger;
}
