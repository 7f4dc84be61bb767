/**
 * The exit codes of `nsbridge run` / `nsbridge enter` (those of env(1) and podman run). A module
 * of its own so that registering the commands does not load spawn(): `nsbridge ls` starts faster.
 */
export const EXIT_SETUP_FAILED = 125;
export const EXIT_CANNOT_EXECUTE = 126;
export const EXIT_NOT_FOUND = 127;

export const EXIT_CODES_HELP = `
Exit status:
  the program's exit status; 128+N when it was killed by signal N
  125  nsbridge could not set up the namespaces (one line on stderr: step, errno, hint)
  126  the program could not be executed;  127  the program was not found
  2    usage error (bad or conflicting flags)
`;
