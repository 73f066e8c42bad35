package dev.llmthrottle.protocol.tokens;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.internal.Json;
import tools.jackson.databind.JsonNode;

/**
 * Reads {@link Usage} from a complete (non-streamed) response body (protocol.md §5):
 * <ul>
 * <li>OpenAI chat completions: {@code usage.prompt_tokens}, {@code completion_tokens},
 * {@code prompt_tokens_details.cached_tokens};</li>
 * <li>OpenAI Responses: {@code usage.input_tokens}, {@code output_tokens},
 * {@code input_tokens_details.cached_tokens};</li>
 * <li>Anthropic: {@code usage.input_tokens + cache_creation_input_tokens} as input,
 * {@code output_tokens}, {@code cache_read_input_tokens} as cached;</li>
 * <li>Gemini: {@code usageMetadata.promptTokenCount}, {@code candidatesTokenCount +
 * thoughtsTokenCount}, {@code cachedContentTokenCount}.</li>
 * </ul>
 * Shapes are recognised by their field names, so OpenAI-compatible providers (Groq,
 * Together, DeepSeek, OpenRouter) work too; the dialect only decides which place is
 * looked at first. Never throws: a body without usable usage gives empty.
 */
public final class UsageExtractor {

	private UsageExtractor() {
	}

	/**
	 * Reads the usage of a response body.
	 * @param body the body, may be {@code null} or malformed
	 * @param dialect the provider's dialect, may be {@code null}
	 * @return the usage, or empty when the body reports none
	 */
	public static Optional<Usage> extract(String body, Dialect dialect) {
		return Json.parse(body).flatMap((root) -> fromTree(root, dialect));
	}

	/**
	 * Reads the usage of a UTF-8 response body.
	 * @param body the body bytes, may be {@code null} or malformed
	 * @param dialect the provider's dialect, may be {@code null}
	 * @return the usage, or empty when the body reports none
	 */
	public static Optional<Usage> extract(byte[] body, Dialect dialect) {
		return Json.parse(body).flatMap((root) -> fromTree(root, dialect));
	}

	static Optional<Usage> fromTree(JsonNode root, Dialect dialect) {
		if (root.isArray()) {
			// Gemini's non-SSE streaming answer is an array of chunks; the last usage is
			// final
			for (int i = root.size() - 1; i >= 0; i--) {
				Optional<Usage> usage = fromObject(root.get(i), dialect);
				if (usage.isPresent()) {
					return usage;
				}
			}
			return Optional.empty();
		}
		return fromObject(root, dialect);
	}

	private static Optional<Usage> fromObject(JsonNode root, Dialect dialect) {
		if (root == null || !root.isObject()) {
			return Optional.empty();
		}
		List<JsonNode> places = (dialect == Dialect.GEMINI)
				? List.of(root.path("usageMetadata"), root.path("usage"), root.path("response").path("usage"),
						root.path("message").path("usage"))
				: List.of(root.path("usage"), root.path("response").path("usage"), root.path("message").path("usage"),
						root.path("usageMetadata"));
		for (JsonNode place : places) {
			Optional<Usage> usage = fromUsageObject(place).or(() -> fromUsageMetadata(place));
			if (usage.isPresent()) {
				return usage;
			}
		}
		return Optional.empty();
	}

	/** An OpenAI chat, OpenAI Responses or Anthropic {@code usage} object. */
	static Optional<Usage> fromUsageObject(JsonNode usage) {
		if (usage == null || !usage.isObject()) {
			return Optional.empty();
		}
		OptionalLong prompt = TokenJson.count(usage, "prompt_tokens");
		OptionalLong completion = TokenJson.count(usage, "completion_tokens");
		if (prompt.isPresent() || completion.isPresent()) {
			OptionalLong cached = TokenJson.count(Json.object(usage, "prompt_tokens_details"), "cached_tokens");
			return Optional.of(new Usage(prompt.orElse(0), completion.orElse(0), cached));
		}
		OptionalLong input = TokenJson.count(usage, "input_tokens");
		OptionalLong output = TokenJson.count(usage, "output_tokens");
		if (input.isPresent() || output.isPresent()) {
			long inputTokens = TokenJson.add(input.orElse(0),
					TokenJson.count(usage, "cache_creation_input_tokens").orElse(0));
			OptionalLong cached = TokenJson.count(usage, "cache_read_input_tokens");
			if (cached.isEmpty()) {
				cached = TokenJson.count(Json.object(usage, "input_tokens_details"), "cached_tokens");
			}
			return Optional.of(new Usage(inputTokens, output.orElse(0), cached));
		}
		return Optional.empty();
	}

	/** A Gemini {@code usageMetadata} object. */
	static Optional<Usage> fromUsageMetadata(JsonNode metadata) {
		if (metadata == null || !metadata.isObject()) {
			return Optional.empty();
		}
		OptionalLong prompt = TokenJson.count(metadata, "promptTokenCount");
		OptionalLong candidates = TokenJson.count(metadata, "candidatesTokenCount");
		if (prompt.isEmpty() && candidates.isEmpty()) {
			return Optional.empty();
		}
		long input = TokenJson.add(prompt.orElse(0), TokenJson.count(metadata, "toolUsePromptTokenCount").orElse(0));
		long output = TokenJson.add(candidates.orElse(0), TokenJson.count(metadata, "thoughtsTokenCount").orElse(0));
		return Optional.of(new Usage(input, output, TokenJson.count(metadata, "cachedContentTokenCount")));
	}

}
