// Redis connections: created from a URL or ioredis options, described without the password.
import { Redis, type RedisOptions } from 'ioredis';
import { QueueConnectionError } from './errors.js';

/** Where Redis is: host, port, credentials, db, TLS; any other ioredis option passes through. */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** TLS options (node:tls), or true for defaults. */
  tls?: boolean | Record<string, unknown>;
  connectTimeout?: number;
  [option: string]: unknown;
}

/** A redis:// or rediss:// URL, or connection options. */
export type RedisConnection = string | RedisConnectionOptions;

/** Where the connection goes, for error messages: user, host, port and db, never the password. */
export function describeConnection(connection: RedisConnection): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      url.password = '';
      if (url.username) url.username = decodeURIComponent(url.username);
      return url.toString().replace(/\/$/, '');
    } catch {
      return 'an unparseable Redis URL';
    }
  }
  const user = connection.username ? `${connection.username}@` : '';
  const db = connection.db ? `/${connection.db}` : '';
  return `redis://${user}${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}${db}`;
}

/** A client; `extra` wins over the user's options (BullMQ needs some settings). */
export function createClient(connection: RedisConnection, extra: RedisOptions): Redis {
  const options = typeof connection === 'string' ? undefined : ({ ...connection, ...(connection.tls === true ? { tls: {} } : {}) } as RedisOptions);
  const client = options === undefined ? new Redis(connection as string, extra) : new Redis({ ...options, ...extra });
  // ioredis reconnects by itself; an 'error' without a listener would crash the process.
  client.on('error', () => {});
  return client;
}

/** Resolves when the client is ready; rejects at once with a QueueConnectionError when it cannot connect. */
export function whenReady(client: Redis, connection: RedisConnection, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      if (error === undefined) resolve();
      else reject(connectionError(connection, error));
    };
    const onReady = () => done();
    const onError = (error: unknown) => done(error);
    const onEnd = () => done(new Error('the connection was closed'));
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
  });
}

export function connectionError(connection: RedisConnection, error: unknown): QueueConnectionError {
  const code = (error as { code?: string })?.code;
  // The cause's message is kept short and carries no credentials (ioredis errors name host:port only).
  const why = code ?? (error instanceof Error ? error.message : String(error));
  return new QueueConnectionError(`Cannot reach Redis at ${describeConnection(connection)}: ${why}.`);
}
