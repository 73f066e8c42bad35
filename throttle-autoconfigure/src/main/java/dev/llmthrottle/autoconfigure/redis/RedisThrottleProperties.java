package dev.llmthrottle.autoconfigure.redis;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.llmthrottle.core.redis.FailurePolicy;
import dev.llmthrottle.core.redis.RedisBackendSettings;

/**
 * How providers with {@code backend: redis} use Redis, bound from
 * {@code llm.throttle.redis.*}. The connection itself comes from
 * {@code spring.data.redis.*}.
 */
@ConfigurationProperties("llm.throttle.redis")
public class RedisThrottleProperties {

	/**
	 * First segment of every key, followed by a hash tag per partition. Instances sharing
	 * a quota must use the same prefix (and the same llm.throttle.partition-key-secret).
	 */
	private String keyPrefix = "llmthrottle";

	/**
	 * What to do while Redis is unreachable, slow or failing: fail-closed refuses every
	 * call at once, fail-open-local throttles in this JVM at 1/expected-instances of each
	 * limit until Redis answers again.
	 */
	private FailurePolicy onFailure = FailurePolicy.FAIL_OPEN_LOCAL;

	/**
	 * Number of instances expected to share the quota; a failing-open instance keeps this
	 * share of each limit and of the concurrency cap.
	 */
	private int expectedInstances = 2;

	/**
	 * Longest wait for one Redis command; a slower answer counts as a failure.
	 */
	private Duration commandTimeout = Duration.ofMillis(500);

	/**
	 * Lifetime of a concurrency lease without renewal; held leases are renewed every
	 * third of it, and a crashed instance's leases come back after it.
	 */
	private Duration leaseTtl = Duration.ofSeconds(30);

	/**
	 * Minimum interval between two warnings about the same provider while Redis fails.
	 */
	private Duration warnInterval = Duration.ofSeconds(10);

	/**
	 * Threads per provider that wait for Redis replies (admissions and releases block
	 * them, never a caller's or event-loop thread).
	 */
	private int threads = 4;

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public FailurePolicy getOnFailure() {
		return this.onFailure;
	}

	public void setOnFailure(FailurePolicy onFailure) {
		this.onFailure = onFailure;
	}

	public int getExpectedInstances() {
		return this.expectedInstances;
	}

	public void setExpectedInstances(int expectedInstances) {
		this.expectedInstances = expectedInstances;
	}

	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public Duration getLeaseTtl() {
		return this.leaseTtl;
	}

	public void setLeaseTtl(Duration leaseTtl) {
		this.leaseTtl = leaseTtl;
	}

	public Duration getWarnInterval() {
		return this.warnInterval;
	}

	public void setWarnInterval(Duration warnInterval) {
		this.warnInterval = warnInterval;
	}

	public int getThreads() {
		return this.threads;
	}

	public void setThreads(int threads) {
		this.threads = threads;
	}

	/**
	 * The engine's settings.
	 * @throws IllegalArgumentException naming the property that is out of range
	 */
	RedisBackendSettings toSettings() {
		try {
			RedisBackendSettings defaults = RedisBackendSettings.defaults();
			return new RedisBackendSettings(this.keyPrefix, this.onFailure, this.expectedInstances, this.commandTimeout,
					this.leaseTtl, this.warnInterval, defaults.probeInterval(), defaults.concurrencyPoll());
		}
		catch (IllegalArgumentException | NullPointerException ex) {
			throw new IllegalArgumentException("Invalid llm.throttle.redis configuration: " + ex.getMessage(), ex);
		}
	}

}
