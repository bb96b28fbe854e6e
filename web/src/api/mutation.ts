// One write at a time for a form or a button: pending and error for the UI, then the reads it touched
// are revalidated (undefined: all of them; awaited, so the list already shows the change when `run` resolves).
import { revalidate } from "@solidjs/router";
import { createSignal } from "solid-js";

export function createMutation<A extends unknown[], R>(fn: (...args: A) => Promise<R>, touches: (...args: A) => string[] | undefined) {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [result, setResult] = createSignal<{ value: R }>();

  async function run(...args: A): Promise<{ value: R } | undefined> {
    setPending(true);
    setError(undefined);
    try {
      const value = await fn(...args);
      const done = { value };
      setResult(done);
      await revalidate(touches(...args));
      return done;
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setPending(false);
    }
  }

  return {
    run,
    pending,
    error,
    /** The last successful result, until reset. */
    result: () => result()?.value,
    reset() {
      setError(undefined);
      setResult(undefined);
    },
  };
}
