/** What a construction threw, for tests that assert on the error itself. */

/** Runs `build` and returns what it threw, or undefined when it did not throw. */
export function thrownBy(build: () => unknown): Error | undefined {
  try {
    build();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/** Runs `build` and returns the thrown error (fails when nothing is thrown). */
export function errorOf(build: () => unknown): Error {
  const error = thrownBy(build);
  if (!error) throw new Error('expected an error, none was thrown');
  return error;
}
