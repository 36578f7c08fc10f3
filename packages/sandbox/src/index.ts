export {
  QuickJsExecutor,
  InProcessQuickJsExecutor,
  getDefaultExecutor,
  DEFAULT_WORKER_RESOURCE_LIMITS,
  type QuickJsExecutorOptions,
  type QuickJsExecutorStats,
} from './executor.ts';
export { SandboxError, SandboxConfigError } from './errors.ts';
