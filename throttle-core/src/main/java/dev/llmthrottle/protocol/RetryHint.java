package dev.llmthrottle.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the provider asked us to wait, where it said so, and whether that exceeds the
 * caller's cap (protocol.md §8.2). A hint above the cap is still reported, with the
 * capped delay, so that the caller can fail fast (or park) instead of sleeping for hours
 * or hammering the provider.
 *
 * @param source where the hint came from
 * @param requestedMillis what the provider asked for, in milliseconds, at least 1
 * @param delayMillis the delay to use: {@code requestedMillis} clamped to [0, cap]
 */
public record RetryHint(Source source, long requestedMillis, long delayMillis) {

	public RetryHint {
		Objects.requireNonNull(source, "source");
		if (requestedMillis < 1 || delayMillis < 0 || delayMillis > requestedMillis) {
			throw new IllegalArgumentException(
					"invalid hint: requested " + requestedMillis + " ms, delay " + delayMillis + " ms");
		}
	}

	/**
	 * A hint clamped to a cap.
	 * @param source where the hint came from
	 * @param requestedMillis what the provider asked for, at least 1
	 * @param capMillis the longest wait the caller accepts; negative counts as 0
	 * @return the hint
	 */
	public static RetryHint of(Source source, long requestedMillis, long capMillis) {
		return new RetryHint(source, requestedMillis, Math.min(requestedMillis, Math.max(capMillis, 0)));
	}

	/**
	 * Whether the provider asked for more than the cap: fail fast or park rather than
	 * wait.
	 */
	public boolean exceedsCap() {
		return this.requestedMillis > this.delayMillis;
	}

	/** The delay to use, within [0, cap]. */
	public Duration delay() {
		return Duration.ofMillis(this.delayMillis);
	}

	/** What the provider asked for, uncapped. */
	public Duration requested() {
		return Duration.ofMillis(this.requestedMillis);
	}

	/** Where a hint came from, in the order they are consulted. */
	public enum Source {

		/** The {@code retry-after-ms} header (OpenAI, Azure). */
		RETRY_AFTER_MS,

		/** The {@code retry-after} header, in seconds or as an HTTP-date. */
		RETRY_AFTER,

		/**
		 * Gemini's {@code google.rpc.RetryInfo.retryDelay} in {@code error.details[]}.
		 */
		BODY_RETRY_INFO,

		/**
		 * A wait stated in the error message ("try again in 1.146s", "retry after 6
		 * seconds").
		 */
		BODY_MESSAGE,

		/** A rate-limit reset header of a dimension whose remaining count is 0. */
		RATE_LIMIT_RESET

	}

}
