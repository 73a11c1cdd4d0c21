/**
 * Errors that end a run with one line on stderr and a non-zero exit (wrong usage, a source that
 * is not CATMAID, a ref that does not exist). Anything else that goes wrong while reading the
 * source is a {@link Diagnostic} instead, and the run goes on.
 */
export class UsageError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UsageError';
    this.exitCode = exitCode;
  }
}
