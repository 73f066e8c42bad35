package dev.llmthrottle.autoconfigure.aop;

import org.jspecify.annotations.Nullable;

import dev.llmthrottle.protocol.tokens.Usage;

/**
 * Reads the usage a value returned by an {@code @LlmThrottled} method carries, for the
 * response types of one client library (Spring AI, openai-java, anthropic-java). Used
 * only when no HTTP adapter underneath reported the usage to the permit.
 */
interface ReturnedUsage {

	/**
	 * The usage {@code value} reports, counted as the provider's dialect counts it, or
	 * {@code null} when it is not a type this reader knows or carries no usage. May throw
	 * (an SDK's accessor of a missing field): the caller treats that as no usage.
	 * @param value a returned value or stream element, not {@code null}
	 * @param all every reader, for a value that wraps another library's usage
	 */
	@Nullable Usage read(Object value, ReturnedUsages all);

	/**
	 * Usage from input and output counts read from a response object: {@code null} when a
	 * count is negative or both are zero (an empty usage).
	 */
	static @Nullable Usage of(long input, long output, long cached) {
		if (input < 0 || output < 0 || (input == 0 && output == 0)) {
			return null;
		}
		return (cached >= 0) ? new Usage(input, output, java.util.OptionalLong.of(cached)) : Usage.of(input, output);
	}

	/** {@code a + b} without overflow (a provider's counts are not trusted). */
	static long add(long a, long b) {
		long sum = a + b;
		return (((a ^ sum) & (b ^ sum)) < 0) ? Long.MAX_VALUE : sum;
	}

}
