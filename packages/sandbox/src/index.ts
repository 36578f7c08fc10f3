export {
  QuickJsExecutor,
  InProcessQuickJsExecutor,
  getDefaultExecutor,
  type QuickJsExecutorOptions,
  type QuickJsExecutorStats,
} from './executor.ts';
