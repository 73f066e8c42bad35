package dev.llmthrottle.core.redis;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.ThrottleListener;

/**
 * The Redis backend of an application: for each provider on Redis, a
 * {@link RedisPartitionStates} factory and the small thread pool its partitions block on
 * (a Redis round trip per admission, never on a caller's or an event loop's thread).
 * Closing it stops the heartbeats and the pools; the {@link RedisScripts} stay open
 * (their owner closes them).
 */
public final class RedisBackend implements AutoCloseable {

	private final RedisScripts scripts;

	private final RedisBackendSettings settings;

	private final TimeSource time;

	private final int threadsPerProvider;

	private final List<Provider> providers = new CopyOnWriteArrayList<>();

	/**
	 * @param threadsPerProvider threads each provider's partitions share for their Redis
	 * calls
	 */
	public RedisBackend(RedisScripts scripts, RedisBackendSettings settings, TimeSource time, int threadsPerProvider) {
		if (threadsPerProvider < 1) {
			throw new IllegalArgumentException("threadsPerProvider must be at least 1");
		}
		this.scripts = scripts;
		this.settings = settings;
		this.time = time;
		this.threadsPerProvider = threadsPerProvider;
		// connect now rather than on the first admission (a cold client takes a while to
		// start); failures here
		// only mean that the first admission finds Redis down and follows the failure
		// policy
		scripts.ping();
	}

	public RedisBackendSettings settings() {
		return this.settings;
	}

	/** The partition-state factory and executor of a provider; call once per provider. */
	public Provider provider(String name, ThrottleListener listener) {
		RedisPartitionStates states = new RedisPartitionStates(name, this.scripts, this.settings, this.time, listener);
		AtomicInteger count = new AtomicInteger();
		ThreadPoolExecutor executor = new ThreadPoolExecutor(this.threadsPerProvider, this.threadsPerProvider, 30,
				TimeUnit.SECONDS, new LinkedBlockingQueue<>(), (runnable) -> {
					Thread thread = new Thread(runnable, "llm-throttle-redis-" + name + "-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				}, new ThreadPoolExecutor.DiscardPolicy()); // after close: leases expire
															// with their TTL
		executor.allowCoreThreadTimeOut(true);
		Provider provider = new Provider(states, executor);
		this.providers.add(provider);
		return provider;
	}

	/**
	 * Stops heartbeats and pools, waiting up to twice the command timeout for calls in
	 * progress.
	 */
	@Override
	public void close() {
		for (Provider provider : this.providers) {
			provider.states.close();
			provider.pool().shutdown();
		}
		long waitNanos = this.settings.commandTimeout().toNanos() * 2;
		try {
			for (Provider provider : this.providers) {
				long start = System.nanoTime();
				provider.pool().awaitTermination(waitNanos, TimeUnit.NANOSECONDS);
				waitNanos = Math.max(0, waitNanos - (System.nanoTime() - start));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * One provider's share of the backend.
	 *
	 * @param states its partition-state factory
	 * @param executor where its partitions call Redis
	 */
	public record Provider(RedisPartitionStates states, Executor executor) {

		ThreadPoolExecutor pool() {
			return (ThreadPoolExecutor) this.executor;
		}

	}

}
