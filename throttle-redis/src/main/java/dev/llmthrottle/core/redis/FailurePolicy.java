package dev.llmthrottle.core.redis;

/**
 * What a provider on the Redis backend does while Redis is unreachable, slow or failing.
 */
public enum FailurePolicy {

	/** Refuse every call at once with a {@link BackendUnavailableException}. */
	FAIL_CLOSED,

	/**
	 * Throttle in this JVM with each limit (and the concurrency cap) divided by the
	 * expected number of instances, until Redis answers again.
	 */
	FAIL_OPEN_LOCAL

}
