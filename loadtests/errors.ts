/** A failure the operator can fix (a tool, a setting, a server that does not answer, a deploy): reported without a stack trace. */
export class ExperimentError extends Error {}
