package dev.llmthrottle.core;

/**
 * Where the engine gets its time and its timers. Production uses
 * {@link SystemTimeSource}; tests use {@link VirtualTimeSource} and advance it by hand,
 * so an hour of waiting takes microseconds.
 */
public interface TimeSource {

	/**
	 * A monotonic reading in nanoseconds, as {@link System#nanoTime()}: only differences
	 * are meaningful.
	 */
	long nanoTime();

	/**
	 * Runs {@code task} once, no earlier than {@code delayNanos} from now, on a thread
	 * that is not the caller's. The task must be short and must not block.
	 * @return a handle that cancels the task if it has not run yet
	 */
	Cancellable schedule(Runnable task, long delayNanos);

	/** A scheduled task that can be withdrawn. */
	@FunctionalInterface
	interface Cancellable {

		/** Withdraws the task if it has not started; does nothing otherwise. */
		void cancel();

	}

}
