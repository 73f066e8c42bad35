package dev.llmthrottle.core.redis;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.BaseRedisAsyncCommands;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;

/**
 * {@link RedisScripts} over one Lettuce connection (standalone or Cluster), the only
 * Lettuce-aware class of the engine.
 *
 * <p>
 * Lettuce's defaults suit a cache, not a limiter: commands issued while disconnected are
 * queued without bound and replayed after reconnect, and asynchronous commands have no
 * timeout (bucket4j#406). {@link #clientOptions} turns that off: commands are rejected
 * while disconnected, nothing is replayed, the queue is bounded and every command times
 * out after the command timeout. The connection is opened on first use, so an application
 * starts while Redis is down, and opened again after a failed attempt.
 */
public final class LettuceRedisScripts implements RedisScripts {

	private static final int REQUEST_QUEUE_SIZE = 2048;

	private final Supplier<CompletionStage<? extends StatefulConnection<String, String>>> connector;

	private final AtomicReference<CompletableFuture<Commands>> connection = new AtomicReference<>();

	private final Duration timeout;

	private final AbstractRedisClient ownedClient;

	private volatile boolean closed;

	private LettuceRedisScripts(Supplier<CompletionStage<? extends StatefulConnection<String, String>>> connector,
			Duration timeout, AbstractRedisClient ownedClient) {
		this.connector = connector;
		this.timeout = Objects.requireNonNull(timeout, "timeout");
		this.ownedClient = ownedClient;
	}

	/**
	 * Scripts on a standalone Redis.
	 * @param client a client configured with {@link #clientOptions(Duration)}
	 * @param ownsClient whether {@link #close()} shuts the client down
	 */
	public static LettuceRedisScripts standalone(RedisClient client, RedisURI uri, Duration timeout,
			boolean ownsClient) {
		return new LettuceRedisScripts(() -> client.connectAsync(StringCodec.UTF8, uri), timeout,
				ownsClient ? client : null);
	}

	/**
	 * Scripts on a Redis Cluster: every key of a partition shares one hash tag, so each
	 * script runs on one node.
	 * @param client a client configured with {@link #clusterClientOptions(Duration)}
	 * @param ownsClient whether {@link #close()} shuts the client down
	 */
	public static LettuceRedisScripts cluster(RedisClusterClient client, Duration timeout, boolean ownsClient) {
		return new LettuceRedisScripts(() -> client.connectAsync(StringCodec.UTF8), timeout,
				ownsClient ? client : null);
	}

	/**
	 * Client options for a limiter: reject while disconnected, replay nothing, bounded
	 * queue, command timeout.
	 */
	public static ClientOptions clientOptions(Duration commandTimeout) {
		return ClientOptions.builder()
			.autoReconnect(true)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.replayFilter((command) -> true)
			.requestQueueSize(REQUEST_QUEUE_SIZE)
			.timeoutOptions(TimeoutOptions.enabled(commandTimeout))
			.socketOptions(SocketOptions.builder().connectTimeout(connectTimeout(commandTimeout)).build())
			.build();
	}

	/** The same options for a Cluster client. */
	public static ClusterClientOptions clusterClientOptions(Duration commandTimeout) {
		return ClusterClientOptions.builder(clientOptions(commandTimeout)).build();
	}

	private static Duration connectTimeout(Duration commandTimeout) {
		Duration doubled = commandTimeout.multipliedBy(2);
		return (doubled.compareTo(Duration.ofSeconds(1)) < 0) ? Duration.ofSeconds(1) : doubled;
	}

	@Override
	public CompletableFuture<List<Object>> eval(LuaScript script, List<String> keys, List<String> args) {
		String[] keyArray = keys.toArray(String[]::new);
		String[] argArray = args.toArray(String[]::new);
		return bounded(commands().thenCompose((commands) -> commands.scripting
			.<List<Object>>evalsha(script.sha1(), ScriptOutputType.MULTI, keyArray, argArray)
			.exceptionallyCompose((failure) -> isNoScript(failure)
					? commands.scripting.<List<Object>>eval(script.source(), ScriptOutputType.MULTI, keyArray, argArray)
					: CompletableFuture.failedFuture(unwrap(failure)))));
	}

	@Override
	public CompletableFuture<Void> ping() {
		return bounded(commands().thenCompose((commands) -> commands.base.ping()).thenApply((pong) -> null));
	}

	@Override
	public Duration commandTimeout() {
		return this.timeout;
	}

	private <T> CompletableFuture<T> bounded(CompletionStage<T> stage) {
		// Lettuce times commands out itself; this also bounds connecting and the NOSCRIPT
		// fallback together.
		return stage.toCompletableFuture().orTimeout(this.timeout.toNanos() + 50_000_000L, TimeUnit.NANOSECONDS);
	}

	private CompletableFuture<Commands> commands() {
		if (this.closed) {
			return CompletableFuture.failedFuture(new IllegalStateException("closed"));
		}
		CompletableFuture<Commands> current = this.connection.get();
		if (current != null && !current.isCompletedExceptionally()) {
			return current;
		}
		CompletableFuture<Commands> next = new CompletableFuture<>();
		if (!this.connection.compareAndSet(current, next)) {
			return this.connection.get();
		}
		try {
			this.connector.get().whenComplete((connected, failure) -> {
				if (failure != null) {
					next.completeExceptionally(unwrap(failure));
				}
				else if (this.closed) {
					connected.closeAsync();
					next.completeExceptionally(new IllegalStateException("closed"));
				}
				else {
					next.complete(Commands.of(connected));
				}
			});
		}
		catch (RuntimeException ex) {
			next.completeExceptionally(ex);
		}
		return next;
	}

	private static boolean isNoScript(Throwable failure) {
		Throwable cause = unwrap(failure);
		return cause instanceof RedisNoScriptException
				|| (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"));
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	@Override
	public void close() {
		this.closed = true;
		CompletableFuture<Commands> current = this.connection.getAndSet(null);
		if (current != null) {
			current.thenAccept((commands) -> commands.connection.close());
		}
		if (this.ownedClient != null) {
			this.ownedClient.shutdown(Duration.ZERO, this.timeout.multipliedBy(4));
		}
	}

	/** The two views of one connection that scripts need. */
	private record Commands(StatefulConnection<String, String> connection,
			RedisScriptingAsyncCommands<String, String> scripting, BaseRedisAsyncCommands<String, String> base) {

		static Commands of(StatefulConnection<String, String> connection) {
			if (connection instanceof StatefulRedisConnection<String, String> standalone) {
				return new Commands(connection, standalone.async(), standalone.async());
			}
			if (connection instanceof StatefulRedisClusterConnection<String, String> cluster) {
				return new Commands(connection, cluster.async(), cluster.async());
			}
			throw new IllegalArgumentException("unsupported connection " + connection.getClass().getName());
		}

	}

}
