package dev.llmthrottle.bench.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.core.redis.LettuceRedisScripts;
import dev.llmthrottle.core.redis.RedisBackend;
import dev.llmthrottle.core.redis.RedisBackendSettings;

/**
 * One application instance on the Redis backend, built as the auto-configuration builds
 * it (its own Lettuce client and connection, time source, {@link RedisBackend} with the
 * default settings and 4 threads, and a {@link ProviderThrottler} over the backend's
 * partition states), without Spring. Several of these with the same key prefix and
 * partition-key secret share one quota.
 */
public final class RedisInstance implements AutoCloseable {

	/** The local Redis every Redis benchmark uses. */
	public static final String URI = System.getProperty("llmthrottle.bench.redis", "redis://127.0.0.1:6379");

	private static final int THREADS = 4; // llm.throttle.redis.threads default

	private final SystemTimeSource time = new SystemTimeSource();

	private final LettuceRedisScripts scripts;

	private final RedisBackend backend;

	private final ProviderThrottler throttler;

	public RedisInstance(String keyPrefix, ThrottlePolicy policy, PartitionKeys keys) {
		RedisBackendSettings settings = RedisBackendSettings.defaults().withKeyPrefix(keyPrefix);
		RedisURI uri = RedisURI.create(URI);
		RedisClient client = RedisClient.create(uri);
		client.setOptions(LettuceRedisScripts.clientOptions(settings.commandTimeout()));
		this.scripts = LettuceRedisScripts.standalone(client, uri, settings.commandTimeout(), true);
		this.backend = new RedisBackend(this.scripts, settings, this.time, THREADS);
		RedisBackend.Provider provider = this.backend.provider(policy.provider(), ThrottleListener.NONE);
		this.throttler = new ProviderThrottler(policy, this.time, keys, ThrottleListener.NONE, provider.states(),
				provider.executor());
	}

	public ProviderThrottler throttler() {
		return this.throttler;
	}

	public SystemTimeSource time() {
		return this.time;
	}

	@Override
	public void close() {
		this.backend.close();
		this.scripts.close();
		this.time.close();
	}

	/** A key prefix no other run uses. */
	public static String uniquePrefix(String what) {
		return "llmthrottle-bench-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/** A plain synchronous connection for {@code INFO} and clean-up. */
	public static final class Admin implements AutoCloseable {

		private final RedisClient client = RedisClient.create(RedisURI.create(URI));

		private final StatefulRedisConnection<String, String> connection = this.client.connect();

		public RedisCommands<String, String> sync() {
			return this.connection.sync();
		}

		/**
		 * Script calls (EVALSHA and EVAL) the server has run, from
		 * {@code INFO commandstats}.
		 */
		public long scriptCalls() {
			long calls = 0;
			for (String line : sync().info("commandstats").split("\r?\n")) {
				if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
					String field = line.substring(line.indexOf("calls=") + 6);
					calls += Long.parseLong(field.substring(0, field.indexOf(',')));
				}
			}
			return calls;
		}

		/** Deletes every key under {@code prefix}; returns how many. */
		public long deleteAll(String prefix) {
			List<String> keys = new ArrayList<>();
			ScanIterator.scan(sync(), ScanArgs.Builder.matches(prefix + ":*").limit(1000)).forEachRemaining(keys::add);
			long deleted = 0;
			for (int from = 0; from < keys.size(); from += 500) {
				deleted += sync().del(keys.subList(from, Math.min(keys.size(), from + 500)).toArray(new String[0]));
			}
			return deleted;
		}

		@Override
		public void close() {
			this.connection.close();
			this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}

	}

}
