package dev.llmthrottle.core.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

/**
 * One more instance in a JVM of its own, started by {@link MultiInstanceRedisTest}: the
 * same policy and key prefix, its callers calling the simulated provider until a
 * wall-clock instant. Prints {@code admitted N} and exits 0.
 *
 * <p>
 * Arguments: Redis URI, key prefix, chat URI, end (epoch ms), threads, amount, period
 * (ms), max concurrent.
 */
public final class SecondJvmInstance {

	private SecondJvmInstance() {
	}

	public static void main(String[] args) throws Exception {
		String redisUri = args[0];
		String prefix = args[1];
		URI chat = URI.create(args[2]);
		long endMillis = Long.parseLong(args[3]);
		int threads = Integer.parseInt(args[4]);
		ThrottlePolicy policy = ThrottlePolicy
			.of("sim", Integer.parseInt(args[7]),
					Limit.of(Dimension.REQUESTS, Long.parseLong(args[5]), Duration.ofMillis(Long.parseLong(args[6]))))
			.withMaxWait(Duration.ofSeconds(30));
		RedisBackendSettings settings = RedisBackendSettings.defaults().withKeyPrefix(prefix);
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		AtomicLong admitted = new AtomicLong();
		ExecutorService callers = Executors.newFixedThreadPool(threads);
		try (RedisInstances.Instance instance = new RedisInstances.Instance(redisUri, settings, policy,
				ThrottleListener.NONE)) {
			http.send(HttpRequest.newBuilder(chat.resolve("/stats")).build(), HttpResponse.BodyHandlers.discarding());
			List<Future<?>> loops = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				loops.add(callers.submit(() -> {
					while (true) {
						Permit permit = instance.throttler.acquire(null, Cost.oneRequest());
						if (System.currentTimeMillis() >= endMillis) {
							permit.abandon();
							return null;
						}
						try {
							http.send(HttpRequest.newBuilder(chat)
								.header("Content-Type", "application/json")
								.POST(HttpRequest.BodyPublishers.ofString(MultiInstanceRedisTest.BODY))
								.build(), HttpResponse.BodyHandlers.discarding());
							admitted.incrementAndGet();
						}
						finally {
							permit.release(null);
						}
					}
				}));
			}
			for (Future<?> loop : loops) {
				loop.get(Math.max(0, endMillis - System.currentTimeMillis()) + 30_000, TimeUnit.MILLISECONDS);
			}
		}
		finally {
			callers.shutdownNow();
		}
		System.out.println("admitted " + admitted.get());
		System.exit(0);
	}

}
