package dev.llmthrottle.core.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's only way to Redis: run a script on some keys, or check that Redis answers.
 * Every future completes within {@link #commandTimeout()} (exceptionally on timeout,
 * disconnection or error), so nothing waits forever, and a command issued while
 * disconnected fails at once rather than being replayed later.
 */
public interface RedisScripts extends AutoCloseable {

	/**
	 * Runs {@code script} by its SHA, sending the source when Redis answers
	 * {@code NOSCRIPT} (after a restart or {@code SCRIPT FLUSH}). All keys must share one
	 * hash tag.
	 * @return the script's reply: a list of {@link Long}, {@link String} or nested lists
	 */
	CompletableFuture<List<Object>> eval(LuaScript script, List<String> keys, List<String> args);

	/** Completes when Redis answers a {@code PING}. */
	CompletableFuture<Void> ping();

	/** The longest any command may take. */
	Duration commandTimeout();

	/** Closes the connection (and whatever this instance created to make it). */
	@Override
	void close();

}
