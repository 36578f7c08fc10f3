export { AgentLogger, type AgentLoggerOptions, type LogLevel, type LogStream } from './logger.js';
export { formatReplay, type ReplayOptions } from './replay.js';
export { OpenTelemetryObserver, createTelemetryObserver, type TelemetryOptions } from './telemetry.js';
