package dev.llmthrottle.protocol.tokens;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import dev.llmthrottle.protocol.internal.Json;
import tools.jackson.databind.JsonNode;

/**
 * What both estimators read from a request body: requested output, choices, and its text.
 */
final class RequestBodies {

	/** More choices than this are not plausible; clamping keeps reservations sane. */
	static final long MAX_CHOICES = 128;

	/**
	 * Fields whose string values are not prompt text (identifiers, enums, binary
	 * payloads).
	 */
	private static final Set<String> NON_TEXT_KEYS = Set.of("type", "role", "id", "data", "url", "media_type",
			"mime_type", "mimeType", "detail", "cache_control", "file_id", "tool_call_id", "tool_use_id", "status",
			"format", "signature", "encrypted_content");

	private static final Set<String> IMAGE_TYPES = Set.of("image", "image_url", "input_image");

	private static final Set<String> INLINE_MEDIA_KEYS = Set.of("inlineData", "inline_data", "fileData", "file_data");

	private RequestBodies() {
	}

	/** Receives the text and images found in a request. */
	interface Sink {

		void text(String text);

		void image();

	}

	/**
	 * The maximum output the request states, if any (first positive of the known fields).
	 */
	static OptionalLong maxOutputTokens(JsonNode root) {
		for (String field : new String[] { "max_completion_tokens", "max_tokens", "max_output_tokens" }) {
			OptionalLong value = TokenJson.count(root, field);
			if (value.isPresent() && value.getAsLong() > 0) {
				return value;
			}
		}
		for (String config : new String[] { "generationConfig", "generation_config" }) {
			JsonNode generation = Json.object(root, config);
			for (String field : new String[] { "maxOutputTokens", "max_output_tokens" }) {
				OptionalLong value = TokenJson.count(generation, field);
				if (value.isPresent() && value.getAsLong() > 0) {
					return value;
				}
			}
		}
		return OptionalLong.empty();
	}

	/**
	 * The number of completions the request asks for ({@code n}, {@code best_of},
	 * candidates).
	 */
	static long choices(JsonNode root) {
		long choices = 1;
		choices = Math.max(choices, TokenJson.count(root, "n").orElse(1));
		choices = Math.max(choices, TokenJson.count(root, "best_of").orElse(1));
		for (String config : new String[] { "generationConfig", "generation_config" }) {
			JsonNode generation = Json.object(root, config);
			choices = Math.max(choices, TokenJson.count(generation, "candidateCount").orElse(1));
			choices = Math.max(choices, TokenJson.count(generation, "candidate_count").orElse(1));
		}
		return Math.min(choices, MAX_CHOICES);
	}

	/** Maximum output (or the default) times the number of choices, saturating. */
	static long outputReservation(OptionalLong maxOutputTokens, long choices, long defaultOutputTokens) {
		return TokenJson.multiply(maxOutputTokens.orElse(defaultOutputTokens), choices);
	}

	/**
	 * Walks a part of a request, reporting prompt text and images. Keys that hold
	 * identifiers, enum values or binary data are skipped, so base64 images don't count
	 * as text.
	 */
	static void walk(JsonNode node, Sink sink) {
		if (node == null) {
			return;
		}
		if (node.isString()) {
			sink.text(node.stringValue());
			return;
		}
		if (node.isArray()) {
			for (JsonNode element : node) {
				walk(element, sink);
			}
			return;
		}
		if (!node.isObject()) {
			return;
		}
		if (IMAGE_TYPES.contains(TokenJson.string(node, "type").orElse(""))) {
			sink.image();
		}
		for (Map.Entry<String, JsonNode> entry : node.properties()) {
			String key = entry.getKey();
			if (INLINE_MEDIA_KEYS.contains(key)) {
				sink.image();
			}
			else if (!NON_TEXT_KEYS.contains(key) && !key.equals("image_url")) {
				walk(entry.getValue(), sink);
			}
		}
	}

}
