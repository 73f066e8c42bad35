package dev.llmthrottle.core.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * How partition states use Redis.
 *
 * @param keyPrefix first segment of every key, e.g. {@code llmthrottle}
 * @param onFailure what to do while Redis cannot decide
 * @param expectedInstances how many instances share the quota: a failing-open instance
 * keeps 1/n of each limit
 * @param commandTimeout longest wait for one Redis command; a slower answer counts as a
 * failure
 * @param leaseTtl how long a concurrency lease lives without renewal; held leases are
 * renewed every third of it
 * @param warnInterval at most one warning per provider per interval while degraded
 * @param probeInterval how often a degraded provider checks whether Redis answers again
 * @param concurrencyPoll longest wait returned when only a concurrency slot is missing
 * (another instance's release is not announced, so the waiter asks again after this)
 */
public record RedisBackendSettings(String keyPrefix, FailurePolicy onFailure, int expectedInstances,
		Duration commandTimeout, Duration leaseTtl, Duration warnInterval, Duration probeInterval,
		Duration concurrencyPoll) {

	public RedisBackendSettings {
		Objects.requireNonNull(keyPrefix, "keyPrefix");
		Objects.requireNonNull(onFailure, "onFailure");
		if (keyPrefix.isBlank() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
			throw new IllegalArgumentException("keyPrefix must be non-blank and contain no braces");
		}
		if (expectedInstances < 1) {
			throw new IllegalArgumentException("expectedInstances must be at least 1");
		}
		requirePositive(commandTimeout, "commandTimeout");
		requirePositive(leaseTtl, "leaseTtl");
		requirePositive(warnInterval, "warnInterval");
		requirePositive(probeInterval, "probeInterval");
		requirePositive(concurrencyPoll, "concurrencyPoll");
		if (leaseTtl.compareTo(Duration.ofMillis(300)) < 0) {
			throw new IllegalArgumentException("leaseTtl must be at least 300ms");
		}
	}

	/**
	 * Defaults: prefix {@code llmthrottle}, fail open locally with a half share, 500ms,
	 * 30s leases.
	 */
	public static RedisBackendSettings defaults() {
		return new RedisBackendSettings("llmthrottle", FailurePolicy.FAIL_OPEN_LOCAL, 2, Duration.ofMillis(500),
				Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(50));
	}

	public RedisBackendSettings withOnFailure(FailurePolicy policy) {
		return new RedisBackendSettings(this.keyPrefix, policy, this.expectedInstances, this.commandTimeout,
				this.leaseTtl, this.warnInterval, this.probeInterval, this.concurrencyPoll);
	}

	public RedisBackendSettings withKeyPrefix(String prefix) {
		return new RedisBackendSettings(prefix, this.onFailure, this.expectedInstances, this.commandTimeout,
				this.leaseTtl, this.warnInterval, this.probeInterval, this.concurrencyPoll);
	}

	public RedisBackendSettings withExpectedInstances(int instances) {
		return new RedisBackendSettings(this.keyPrefix, this.onFailure, instances, this.commandTimeout, this.leaseTtl,
				this.warnInterval, this.probeInterval, this.concurrencyPoll);
	}

	public RedisBackendSettings withCommandTimeout(Duration timeout) {
		return new RedisBackendSettings(this.keyPrefix, this.onFailure, this.expectedInstances, timeout, this.leaseTtl,
				this.warnInterval, this.probeInterval, this.concurrencyPoll);
	}

	public RedisBackendSettings withLeaseTtl(Duration ttl) {
		return new RedisBackendSettings(this.keyPrefix, this.onFailure, this.expectedInstances, this.commandTimeout,
				ttl, this.warnInterval, this.probeInterval, this.concurrencyPoll);
	}

	public RedisBackendSettings withWarnInterval(Duration interval) {
		return new RedisBackendSettings(this.keyPrefix, this.onFailure, this.expectedInstances, this.commandTimeout,
				this.leaseTtl, interval, this.probeInterval, this.concurrencyPoll);
	}

	private static void requirePositive(Duration duration, String name) {
		Objects.requireNonNull(duration, name);
		if (duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(name + " must be positive");
		}
	}

}
