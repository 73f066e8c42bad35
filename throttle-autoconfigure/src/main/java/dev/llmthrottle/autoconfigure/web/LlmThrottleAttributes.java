package dev.llmthrottle.autoconfigure.web;

/**
 * Request attributes a caller may set on a {@code WebClient} request to tell the filter
 * what the call costs, since a WebClient body cannot be read before it is written.
 * Without them the provider's default cost applies; the response's usage settles it
 * either way.
 */
public final class LlmThrottleAttributes {

	/** A {@link dev.llmthrottle.core.Cost} for the call. */
	public static final String COST = LlmThrottleAttributes.class.getName() + ".cost";

	/**
	 * The request body as a {@code String} or {@code byte[]}, to estimate the cost from
	 * (as RestClient does).
	 */
	public static final String BODY = LlmThrottleAttributes.class.getName() + ".body";

	/**
	 * Header the filters add to an error response they give up on (attempts and time
	 * exhausted), with the number of attempts made: whoever sees it (the
	 * {@code @LlmThrottled} advisor) knows the retries already happened.
	 */
	public static final String ATTEMPTS_HEADER = "X-Llm-Throttle-Attempts";

	private LlmThrottleAttributes() {
	}

}
