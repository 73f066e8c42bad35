package dev.llmthrottle.autoconfigure.web;

import org.jspecify.annotations.Nullable;

import dev.llmthrottle.core.Priority;

/**
 * Request attributes a caller may set on a {@code WebClient} request to tell the filter
 * what the call costs, since a WebClient body cannot be read before it is written.
 * Without them the provider's default cost applies; the response's usage settles it
 * either way. {@link #PRIORITY} is read by the {@code RestClient} interceptor too.
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
	 * The {@link Priority} lane the call waits in for admission, as a {@code Priority} or
	 * its name ({@code "interactive"}, {@code "batch"}); without it,
	 * {@link Priority#DEFAULT}. Set it with {@code .attribute(PRIORITY, ...)} on a
	 * {@code WebClient} or {@code RestClient} request. Under an {@code @LlmThrottled}
	 * method the call is already admitted, in the method's lane.
	 */
	public static final String PRIORITY = LlmThrottleAttributes.class.getName() + ".priority";

	/**
	 * Header the filters add to an error response they give up on (attempts and time
	 * exhausted), with the number of attempts made: whoever sees it (the
	 * {@code @LlmThrottled} advisor) knows the retries already happened.
	 */
	public static final String ATTEMPTS_HEADER = "X-Llm-Throttle-Attempts";

	private LlmThrottleAttributes() {
	}

	/**
	 * The lane a request's {@link #PRIORITY} attribute names.
	 * @throws IllegalArgumentException naming the attribute when it is neither a
	 * {@code Priority} nor a priority's name
	 */
	static Priority priority(@Nullable Object attribute) {
		if (attribute == null) {
			return Priority.DEFAULT;
		}
		if (attribute instanceof Priority priority) {
			return priority;
		}
		if (attribute instanceof CharSequence name) {
			try {
				return Priority.of(name.toString());
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("Request attribute " + PRIORITY + ": " + ex.getMessage(), ex);
			}
		}
		throw new IllegalArgumentException("Request attribute " + PRIORITY
				+ " must be a dev.llmthrottle.core.Priority or its name but was a " + attribute.getClass().getName());
	}

}
