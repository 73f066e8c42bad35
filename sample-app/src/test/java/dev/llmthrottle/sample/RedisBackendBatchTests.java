package dev.llmthrottle.sample;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12: the batch runs on the shared backend ({@code backend=redis}) against Redis on
 * {@code 127.0.0.1:6379}, under a key prefix of its own; skipped with a message when no
 * Redis answers there. Before the sample had {@code llm-throttle-redis} and
 * {@code spring-boot-starter-data-redis} on its class path, startup failed ("add
 * llm-throttle-redis and spring-boot-starter-data-redis"). Besides the batch's own checks
 * (no 429, nothing failed, efficiency, results file), the throttler's state must be in
 * Redis under the prefix: the batch really was admitted through Redis, not on the memory
 * backend.
 */
@RequiresRedis
@TestPropertySource(
		properties = { "sample.simulated.model=quantized", "sample.batch.output=target/test-output/redis/results.jsonl",
				"llm.throttle.providers.openai-sim.backend=redis" })
class RedisBackendBatchTests extends BatchEndToEndTests {

	private static final String PREFIX = "sample-test-" + UUID.randomUUID();

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		registry.add("llm.throttle.redis.key-prefix", () -> PREFIX);
		registry.add("spring.data.redis.host", () -> "127.0.0.1");
		registry.add("spring.data.redis.port", () -> "6379");
	}

	@AfterAll
	static void deleteKeys() {
		withRedis((redis) -> {
			List<String> keys = keys(redis);
			if (!keys.isEmpty()) {
				redis.del(keys.toArray(String[]::new));
			}
			return null;
		});
	}

	@Test
	void thePartitionStateIsInRedisUnderThePrefix() {
		// the batch ran at startup; its state lives for the longest period + 1 s after
		// its last write (6 s here)
		List<String> keys = withRedis(RedisBackendBatchTests::keys);
		assertThat(keys).isNotEmpty()
			.allSatisfy((key) -> assertThat(key).startsWith(PREFIX + ":{openai-sim:"))
			.contains(PREFIX + ":{openai-sim:default}:s", PREFIX + ":{openai-sim:default}:w:r5000000");
	}

	private static List<String> keys(RedisCommands<String, String> redis) {
		List<String> keys = new ArrayList<>();
		ScanArgs match = ScanArgs.Builder.matches(PREFIX + ":*").limit(1000);
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			KeyScanCursor<String> page = redis.scan(cursor, match);
			keys.addAll(page.getKeys());
			cursor = page;
		}
		while (!cursor.isFinished());
		return keys;
	}

	private static <T> T withRedis(Function<RedisCommands<String, String>, T> action) {
		RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return action.apply(connection.sync());
		}
		finally {
			client.shutdown();
		}
	}

}
