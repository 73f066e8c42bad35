/**
 * The Redis backend of the engine: partition states whose concurrency, limits and
 * cooldown live in Redis and are shared by every instance. One Lua script
 * ({@code throttle.lua}) decides each admission atomically on Redis server time;
 * {@link dev.llmthrottle.core.redis.RedisScripts} is the only way to Redis, and
 * {@link dev.llmthrottle.core.redis.LettuceRedisScripts} the only class that knows
 * Lettuce. Spring-free.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.core.redis.RedisBackend},
 * {@link dev.llmthrottle.core.redis.RedisBackendSettings},
 * {@link dev.llmthrottle.core.redis.FailurePolicy},
 * {@link dev.llmthrottle.core.redis.RedisPartitionStates} and
 * {@link dev.llmthrottle.core.redis.BackendUnavailableException}; the way to Redis is the
 * service-provider interface {@link dev.llmthrottle.core.redis.RedisScripts} (with
 * {@link dev.llmthrottle.core.redis.LuaScript}), implemented on Lettuce by
 * {@link dev.llmthrottle.core.redis.LettuceRedisScripts}. Internal:
 * {@link dev.llmthrottle.core.redis.RedisKeys} (the key layout; public, but may change
 * without notice); the partition state, the script's arguments, the lease heartbeat,
 * pending settlements, the server clock and the backend's health are package-private.
 */
@NullMarked
package dev.llmthrottle.core.redis;

import org.jspecify.annotations.NullMarked;
