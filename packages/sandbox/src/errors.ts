// The errors the sandbox throws to its users. Errors inside the guest's code never throw: they
// come back as `result.error` ({ name, message }), documented in the README.
import { AgentConfigError, AgentError } from '@smol/core';

/**
 * The sandbox could not do what was asked: the executor is closed, the pool is full, the
 * session was disposed, or an engine could not open a session.
 */
export class SandboxError extends AgentError {
  static override readonly kind: string = 'SandboxError';
}

/** Invalid executor or session options: limits, tool names, variables, pool or recycle settings. */
export class SandboxConfigError extends AgentConfigError {
  static override readonly kind: string = 'SandboxConfigError';
}
