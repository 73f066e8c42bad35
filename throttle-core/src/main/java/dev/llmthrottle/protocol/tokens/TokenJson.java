package dev.llmthrottle.protocol.tokens;

import java.util.Optional;
import java.util.OptionalLong;

import tools.jackson.databind.JsonNode;

/**
 * Field reading and saturating arithmetic for token accounting; parsing is the shared
 * lenient {@link dev.llmthrottle.protocol.internal.Json}.
 */
final class TokenJson {

	private TokenJson() {
	}

	/** A string field, or empty. */
	static Optional<String> string(JsonNode node, String field) {
		if (node == null || !node.isObject()) {
			return Optional.empty();
		}
		JsonNode value = node.get(field);
		return (value != null && value.isString()) ? Optional.ofNullable(value.stringValue()) : Optional.empty();
	}

	/**
	 * A non-negative whole-number field. Integral JSON numbers qualify, as do finite
	 * non-negative floating numbers with no fraction ({@code 12.0}); anything else is
	 * absent.
	 */
	static OptionalLong count(JsonNode node, String field) {
		if (node == null || !node.isObject()) {
			return OptionalLong.empty();
		}
		JsonNode value = node.get(field);
		if (value == null || !value.isNumber()) {
			return OptionalLong.empty();
		}
		if (value.isIntegralNumber()) {
			if (!value.canConvertToLong()) {
				return OptionalLong.empty();
			}
			long count = value.longValue();
			return (count >= 0) ? OptionalLong.of(count) : OptionalLong.empty();
		}
		double number = value.doubleValue();
		if (Double.isFinite(number) && number >= 0 && number <= 9.0e18 && number == Math.rint(number)) {
			return OptionalLong.of((long) number);
		}
		return OptionalLong.empty();
	}

	/** Adds without overflowing: saturates at {@link Long#MAX_VALUE}. */
	static long add(long a, long b) {
		long sum = a + b;
		return (((a ^ sum) & (b ^ sum)) < 0) ? Long.MAX_VALUE : sum;
	}

	/**
	 * Multiplies non-negative values without overflowing: saturates at
	 * {@link Long#MAX_VALUE}.
	 */
	static long multiply(long a, long b) {
		if (a == 0 || b == 0) {
			return 0;
		}
		return (a > Long.MAX_VALUE / b) ? Long.MAX_VALUE : a * b;
	}

}
