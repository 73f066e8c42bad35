package dev.llmthrottle.core.admission;

import java.time.Duration;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.ThrottleRejectedException;

/**
 * Hears what happens inside a provider's throttler, for metrics and events. Called
 * outside the partition lock; implementations must be fast and must not throw. Partition
 * keys passed here are already hashed.
 */
public interface ThrottleListener {

	/** Listens to nothing. */
	ThrottleListener NONE = new ThrottleListener() {
	};

	/** A call was admitted after waiting {@code waitedNanos} (0 on the fast path). */
	default void admitted(String provider, String partition, Cost cost, long waitedNanos) {
	}

	/** A call was refused before it was sent. */
	default void rejected(String provider, String partition, ThrottleRejectedException rejection) {
	}

	/**
	 * A call was refused before it was sent because {@code max-partitions} partitions are
	 * held and none is idle: there is no partition (and so no partition key) to tell
	 * {@link #rejected} about.
	 */
	default void partitionLimitReached(String provider, PartitionLimitException rejection) {
	}

	/** A permit was released; {@code actual} is null when the estimate stands. */
	default void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
	}

	/** Every caller of the partition is paused for {@code duration}. */
	default void cooldown(String provider, String partition, Duration duration, String reason) {
	}

	/**
	 * The provider refused a call with a rate-limit response (429).
	 * @param limitType which limit it named: {@code requests}, {@code tokens},
	 * {@code input-tokens}, {@code output-tokens} or {@code unknown}
	 * @param hint the wait it asked for, or {@code null} when it gave none
	 */
	default void rateLimited(String provider, String partition, String limitType, Duration hint) {
	}

	/**
	 * A refused call will be tried again after {@code backoff}; {@code attempt} is the
	 * attempt about to be made (2 for the first retry).
	 */
	default void retried(String provider, String partition, int attempt, Duration backoff) {
	}

	/**
	 * The provider reported a limit (rate-limit headers) that is now in force for the
	 * partition.
	 */
	default void limitLearned(String provider, String partition, Limit limit) {
	}

	/**
	 * The provider reported a quota or spend limit that retrying will not restore;
	 * {@code reason} is redacted.
	 */
	default void quotaExhausted(String provider, String partition, String reason) {
	}

	/**
	 * The shared backend (e.g. Redis) failed and the provider's failure policy now
	 * applies.
	 */
	default void backendDegraded(String provider, String reason) {
	}

}
