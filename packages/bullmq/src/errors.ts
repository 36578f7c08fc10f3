import { AgentError } from '@smol/core';

/** Redis could not be reached. The message names the connection, never its password. */
export class QueueConnectionError extends AgentError {
  static override readonly kind: string = 'QueueConnectionError';
}

/** A job named an agent that this worker has not registered. */
export class UnknownAgentError extends AgentError {
  static override readonly kind: string = 'UnknownAgentError';
}

/** A stored checkpoint does not parse, or has a schema version this worker does not know. */
export class RunSnapshotError extends AgentError {
  static override readonly kind: string = 'RunSnapshotError';
}

/** A queued run ended in an error; `errorName` is the name of the error the worker saw. */
export class RunFailedError extends AgentError {
  static override readonly kind: string = 'RunFailedError';
  readonly runId: string;
  readonly errorName: string;
  constructor(message: string, options: { runId: string; errorName: string; cause?: unknown }) {
    super(message, options);
    this.runId = options.runId;
    this.errorName = options.errorName;
  }
}

/** No run with this id exists (never submitted, or expired). */
export class RunNotFoundError extends AgentError {
  static override readonly kind: string = 'RunNotFoundError';
}
