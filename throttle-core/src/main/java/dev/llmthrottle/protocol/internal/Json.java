package dev.llmthrottle.protocol.internal;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lenient JSON reading for the protocol packages: malformed input is "absent", never an
 * exception. Public only so that {@code dev.llmthrottle.protocol.tokens} shares it; not
 * an API for applications.
 */
public final class Json {

	/**
	 * Immutable and thread-safe (Jackson 3 mappers are); default read limits bound
	 * nesting.
	 */
	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private Json() {
	}

	/** The parsed tree, or empty for {@code null}, blank or malformed text. */
	public static Optional<JsonNode> parse(String text) {
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

	/**
	 * The parsed tree of UTF-8 bytes, or empty for {@code null}, empty or malformed
	 * input.
	 */
	public static Optional<JsonNode> parse(byte[] bytes) {
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

	/**
	 * A string or number field's text; empty for anything else, including blank strings.
	 */
	public static Optional<String> text(JsonNode node, String field) {
		if (node == null || !node.isObject()) {
			return Optional.empty();
		}
		JsonNode value = node.get(field);
		if (value == null) {
			return Optional.empty();
		}
		if (value.isString()) {
			String text = value.stringValue();
			return (text == null || text.isBlank()) ? Optional.empty() : Optional.of(text.trim());
		}
		if (value.isNumber()) {
			return Optional.of(value.numberValue().toString());
		}
		return Optional.empty();
	}

	/** An object-valued field, or {@code null}. */
	public static @Nullable JsonNode object(@Nullable JsonNode node, String field) {
		if (node == null || !node.isObject()) {
			return null;
		}
		JsonNode value = node.get(field);
		return (value != null && value.isObject()) ? value : null;
	}

}
