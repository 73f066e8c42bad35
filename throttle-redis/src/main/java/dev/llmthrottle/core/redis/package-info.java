/**
 * The Redis backend of the engine: partition states whose concurrency, limits and cooldown live in Redis and are
 * shared by every instance. One Lua script ({@code throttle.lua}) decides each admission atomically on Redis server
 * time; {@link dev.llmthrottle.core.redis.RedisScripts} is the only way to Redis, and
 * {@link dev.llmthrottle.core.redis.LettuceRedisScripts} the only class that knows Lettuce. Spring-free.
 */
@NullMarked
package dev.llmthrottle.core.redis;

import org.jspecify.annotations.NullMarked;
