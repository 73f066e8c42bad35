package dev.llmthrottle.core.redis;

import java.util.List;

/**
 * What tests outside this package need of the shared test Redis.
 */
public final class TestRedisAccess {

	private TestRedisAccess() {
	}

	/** A key prefix no other test uses. */
	public static String uniquePrefix() {
		return TestRedis.uniquePrefix();
	}

	/** The keys of the shared test server that match {@code pattern}. */
	public static List<String> keys(String pattern) {
		try (TestRedis redis = new TestRedis(TestRedis.SHARED)) {
			return redis.scan(pattern);
		}
	}

}
