// A user-facing failure of a CLI command: printed as one sentence, exit status non-zero, no stack.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
