package dev.llmthrottle.protocol;

/** What to do about a response (protocol.md §3 classes). */
public enum ErrorCategory {

	/** Not an error (status below 400, or a stream event that is not an error). */
	SUCCESS,

	/**
	 * Retry after the provider's hint (R-hint); the hint may exceed the cap: then fail
	 * fast.
	 */
	RETRY_AFTER_HINT,

	/** Retry with jittered exponential backoff (R-backoff). */
	RETRY_BACKOFF,

	/**
	 * Retry with backoff and lower the local rate (R-slow): the provider asked us to slow
	 * down.
	 */
	RETRY_SLOW_DOWN,

	/** Never retry: surface the error and open the breaker for the key or org (NO). */
	NEVER_RETRY

}
