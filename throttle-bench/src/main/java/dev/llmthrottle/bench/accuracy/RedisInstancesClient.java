package dev.llmthrottle.bench.accuracy;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.llmthrottle.bench.redis.RedisInstance;

/**
 * Several llm-throttle instances sharing one quota through Redis: each an
 * {@link LlmThrottleClient} on the Redis backend with its own Lettuce connection, time
 * source and engine, all with the same key prefix (unique to the cell) and the same
 * {@code partition-key-secret}, each configured with the provider's full limits and the
 * run's {@code max-concurrent} (shared through Redis like the rates). Caller threads are
 * dealt out in turn on their first call, so with 3 instances and 32 threads the instances
 * get 11, 11 and 10 callers. Closing deletes the cell's keys.
 */
final class RedisInstancesClient implements BatchClient {

	private static final String SECRET = "bench-shared-partition-key-secret-32b";

	private final List<LlmThrottleClient> instances = new ArrayList<>();

	private final String keyPrefix = RedisInstance.uniquePrefix("accuracy");

	private final AtomicInteger dealt = new AtomicInteger();

	private final ThreadLocal<LlmThrottleClient> mine = ThreadLocal
		.withInitial(() -> this.instances.get(this.dealt.getAndIncrement() % this.instances.size()));

	RedisInstancesClient(int count, String baseUrl, URI chatUri, Quota configured, ClientOptions options) {
		for (int i = 0; i < count; i++) {
			this.instances.add(new LlmThrottleClient(baseUrl, chatUri, configured, options, this.keyPrefix, SECRET));
		}
	}

	@Override
	public Outcome send(Call call) throws InterruptedException {
		return this.mine.get().send(call);
	}

	@Override
	public void close() {
		for (LlmThrottleClient instance : this.instances) {
			instance.close();
		}
		try (RedisInstance.Admin admin = new RedisInstance.Admin()) {
			admin.deleteAll(this.keyPrefix);
		}
	}

}
