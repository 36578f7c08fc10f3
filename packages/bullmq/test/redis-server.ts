// The Redis harness now lives in @smol/testing (the demo and the bench use it too).
export { freePort, startRedisServer, type RedisServer } from '@smol/testing/redis';
