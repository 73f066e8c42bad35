package dev.llmthrottle.core.admission;

import java.time.Duration;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.ThrottleRejectedException;

/**
 * Hears what happens inside a provider's throttler, for metrics and events. Called outside the partition lock;
 * implementations must be fast and must not throw. Partition keys passed here are already hashed.
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

	/** A permit was released; {@code actual} is null when the estimate stands. */
	default void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
	}

	/** Every caller of the partition is paused for {@code duration}. */
	default void cooldown(String provider, String partition, Duration duration, String reason) {
	}

}
