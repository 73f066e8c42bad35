package dev.llmthrottle.call;

import java.time.Duration;

/**
 * What follows one attempt, as decided by the {@link CallPipeline}: the call is done, it
 * fails, or it is attempted again after a delay on the engine's time source. The
 * attempt's lease is closed by the time a step is returned (or, for a delivered success,
 * handed to the result).
 *
 * @param <T> what the call returns
 */
public sealed interface Step<T> {

	/** The call is done: hand {@code value} to the caller. */
	record Done<T>(T value) implements Step<T> {
	}

	/** The call fails with {@code error}. */
	record Fail<T>(Throwable error) implements Step<T> {
	}

	/** Attempt again after {@code delay} (zero: at once, through admission again). */
	record Retry<T>(Duration delay) implements Step<T> {
	}

}
