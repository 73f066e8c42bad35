package dev.llmthrottle.test.dialect;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The shared (immutable, thread-safe) JSON mapper. */
public final class Json {

	/** The mapper used for every request and response body. */
	public static final JsonMapper MAPPER = JsonMapper.builder().build();

	private Json() {
	}

	/** A new empty object node. */
	public static ObjectNode object() {
		return MAPPER.createObjectNode();
	}

	/** Serializes a node to UTF-8 bytes. */
	public static byte[] bytes(Object node) {
		return MAPPER.writeValueAsBytes(node);
	}

	/** Serializes a node to compact text. */
	public static String text(Object node) {
		return MAPPER.writeValueAsString(node);
	}

}
