package dev.llmthrottle.autoconfigure.aop;

/**
 * Reads the provider's response out of one kind of exception (an HTTP client's or an
 * SDK's).
 */
@FunctionalInterface
interface FailedResponseReader {

	/**
	 * The response {@code failure} carries, or {@code null} when it is not an exception
	 * of this kind. Never throws.
	 */
	FailedResponse read(Throwable failure);

}
