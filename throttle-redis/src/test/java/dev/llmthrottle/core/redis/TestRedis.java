package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedisCondition;
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

/**
 * Test access to a Redis server: scripts as production builds them (each its own client
 * and connection) and a plain synchronous connection for looking at keys.
 */
final class TestRedis implements AutoCloseable {

	static final String SHARED = "redis://" + RequiresRedisCondition.HOST + ":" + RequiresRedisCondition.PORT;

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	TestRedis(String uri) {
		this.client = RedisClient.create(RedisURI.create(uri));
		this.connection = this.client.connect();
	}

	/** Scripts over a new client and connection, configured as in production. */
	static LettuceRedisScripts scripts(String uri, Duration timeout) {
		RedisURI redisUri = RedisURI.create(uri);
		RedisClient client = RedisClient.create(redisUri);
		client.setOptions(LettuceRedisScripts.clientOptions(timeout));
		return LettuceRedisScripts.standalone(client, redisUri, timeout, true);
	}

	/** A key prefix no other test uses. */
	static String uniquePrefix() {
		return "llmthrottle-test-" + UUID.randomUUID().toString().substring(0, 8);
	}

	RedisCommands<String, String> sync() {
		return this.connection.sync();
	}

	io.lettuce.core.api.async.RedisAsyncCommands<String, String> async() {
		return this.connection.async();
	}

	/** Every key matching {@code pattern}, by SCAN. */
	List<String> scan(String pattern) {
		List<String> keys = new ArrayList<>();
		ScanIterator.scan(sync(), ScanArgs.Builder.matches(pattern).limit(1000)).forEachRemaining(keys::add);
		return keys;
	}

	/**
	 * Script calls (EVALSHA and EVAL) the server has run since its start or the last
	 * CONFIG RESETSTAT.
	 */
	long scriptCalls() {
		long calls = 0;
		for (String line : sync().info("commandstats").split("\r?\n")) {
			if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
				String field = line.substring(line.indexOf("calls=") + 6);
				calls += Long.parseLong(field.substring(0, field.indexOf(',')));
			}
		}
		return calls;
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
	}

}
