package dev.llmthrottle.bench.accuracy;

/**
 * A client under test: sends one call to completion, retrying the way that client does.
 * Thread-safe.
 */
public interface BatchClient extends AutoCloseable {

	/**
	 * Sends {@code call} and waits for the outcome.
	 * @return how it finally ended
	 * @throws InterruptedException when the harness stops the run
	 */
	Outcome send(Call call) throws InterruptedException;

	@Override
	default void close() {
	}

}
