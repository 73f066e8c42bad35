package dev.llmthrottle.protocol.tokens;

import java.util.Optional;
import java.util.OptionalLong;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Lenient JSON reading for this package: malformed input is "absent", never an exception. */
final class TokenJson {

	/** Immutable and thread-safe (Jackson 3 mappers are); default read limits bound nesting. */
	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private TokenJson() {
	}

	/** The parsed tree, or empty for {@code null}, blank or malformed text. */
	static Optional<JsonNode> parse(String text) {
		if (text == null || text.isBlank()) {
			return Optional.empty();
		}
		try {
			JsonNode node = MAPPER.readTree(text);
			return (node == null || node.isMissingNode()) ? Optional.empty() : Optional.of(node);
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

	/** The parsed tree of UTF-8 bytes, or empty when malformed. */
	static Optional<JsonNode> parse(byte[] bytes) {
		if (bytes == null || bytes.length == 0) {
			return Optional.empty();
		}
		try {
			JsonNode node = MAPPER.readTree(bytes);
			return (node == null || node.isMissingNode()) ? Optional.empty() : Optional.of(node);
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

	/** An object-valued field, or {@code null}. */
	static JsonNode object(JsonNode node, String field) {
		if (node == null || !node.isObject()) {
			return null;
		}
		JsonNode value = node.get(field);
		return (value != null && value.isObject()) ? value : null;
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
	 * A non-negative whole-number field. Integral JSON numbers qualify, as do finite non-negative
	 * floating numbers with no fraction ({@code 12.0}); anything else is absent.
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

	/** Multiplies non-negative values without overflowing: saturates at {@link Long#MAX_VALUE}. */
	static long multiply(long a, long b) {
		if (a == 0 || b == 0) {
			return 0;
		}
		return (a > Long.MAX_VALUE / b) ? Long.MAX_VALUE : a * b;
	}

}
