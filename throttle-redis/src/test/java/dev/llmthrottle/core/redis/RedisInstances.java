package dev.llmthrottle.core.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

/**
 * Several "instances" of an application in one JVM, each with its own Lettuce client and
 * connection, time source, backend and throttler, sharing one Redis, one key prefix and
 * one partition-key secret.
 */
final class RedisInstances implements AutoCloseable {

	static final byte[] SECRET = "a-shared-test-secret-of-32-bytes".getBytes(StandardCharsets.UTF_8);

	private final List<Instance> instances = new ArrayList<>();

	RedisInstances(int count, String uri, RedisBackendSettings settings, ThrottlePolicy policy,
			ThrottleListener listener) {
		for (int i = 0; i < count; i++) {
			this.instances.add(new Instance(uri, settings, policy, listener));
		}
	}

	Instance get(int index) {
		return this.instances.get(index);
	}

	List<Instance> all() {
		return this.instances;
	}

	@Override
	public void close() {
		for (Instance instance : this.instances) {
			instance.close();
		}
	}

	/**
	 * One instance: its scripts (own connection), backend and the provider's throttler.
	 */
	static final class Instance implements AutoCloseable {

		final SystemTimeSource time = new SystemTimeSource();

		final LettuceRedisScripts scripts;

		final RedisBackend backend;

		final RedisBackend.Provider provider;

		final ProviderThrottler throttler;

		Instance(String uri, RedisBackendSettings settings, ThrottlePolicy policy, ThrottleListener listener) {
			this.scripts = TestRedis.scripts(uri, settings.commandTimeout());
			this.backend = new RedisBackend(this.scripts, settings, this.time, 4);
			this.provider = this.backend.provider(policy.provider(), listener);
			this.throttler = new ProviderThrottler(policy, this.time, new PartitionKeys(SECRET), listener,
					this.provider.states(), this.provider.executor());
		}

		RedisPartitionStates states() {
			return this.provider.states();
		}

		@Override
		public void close() {
			this.backend.close();
			this.scripts.close();
			this.time.close();
		}

	}

}
