// Where the promotion runs n8n's CLI on a tenant's dedicated stack. Each CLI
// run takes a few hundred MB inside its container, which has the plan's
// memory limit, so a container runs one at a time (serialPerKey). The
// credentials export and import go to the first worker when it runs (it has
// the instance's database settings and encryption key), so the import step's
// two imports and the verify step's two exports run side by side without two
// CLI runs in one container.
import { mainContainerName, workerContainerName } from '../compile/names.js';

export type CliWork = 'workflows' | 'credentials';

/** The container for a CLI export or import of `what`: credentials on the first worker when it is running, else (and workflows) on main. */
export function cliContainer(tenant: string, what: CliWork, running: readonly string[]): string {
  const worker = workerContainerName(tenant, 1);
  return what === 'credentials' && running.includes(worker) ? worker : mainContainerName(tenant);
}

/** Runs the calls made with one key one after the other (in call order), calls with different keys side by side. */
export function serialPerKey(): <T>(key: string, fn: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async (key, fn) => {
    const previous = tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    tails.set(key, next);
    try {
      return await next;
    } finally {
      if (tails.get(key) === next) tails.delete(key);
    }
  };
}
