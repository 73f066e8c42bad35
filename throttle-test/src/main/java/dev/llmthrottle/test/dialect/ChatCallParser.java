package dev.llmthrottle.test.dialect;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads {@link ChatCall}s from OpenAI chat-completions and Anthropic messages request
 * bodies.
 */
public final class ChatCallParser {

	private final long defaultMaxTokens;

	/**
	 * @param defaultMaxTokens the output cap assumed when the request sets none
	 */
	public ChatCallParser(long defaultMaxTokens) {
		this.defaultMaxTokens = defaultMaxTokens;
	}

	private static JsonNode read(byte[] body) throws InvalidRequestException {
		try {
			JsonNode root = Json.MAPPER.readTree(body);
			if (root == null || !root.isObject()) {
				throw new InvalidRequestException("The request body must be a JSON object.");
			}
			return root;
		}
		catch (JacksonException e) {
			throw new InvalidRequestException("We could not parse the JSON body of your request.");
		}
	}

	/** An OpenAI (or Azure) chat-completions request. */
	public ChatCall openAi(byte[] body) throws InvalidRequestException {
		JsonNode root = read(body);
		JsonNode messages = root.get("messages");
		if (messages == null || !messages.isArray() || messages.isEmpty()) {
			throw new InvalidRequestException("'messages' must be a non-empty array.");
		}
		PromptEstimator estimate = new PromptEstimator();
		for (JsonNode message : messages) {
			estimate.message(text(message.get("content")), message.hasNonNull("name"));
		}
		long maxTokens = positive(root, "max_completion_tokens", positive(root, "max_tokens", defaultMaxTokens));
		int n = (int) positive(root, "n", 1);
		if (n > 128) {
			throw new InvalidRequestException("'n' must be at most 128.");
		}
		boolean stream = root.path("stream").asBoolean(false);
		boolean includeUsage = root.path("stream_options").path("include_usage").asBoolean(false);
		return new ChatCall(model(root, "gpt-simulated"), estimate.tokens(), maxTokens, n, stream, includeUsage,
				fingerprint(body));
	}

	/** An Anthropic messages request; the system prompt counts as one more message. */
	public ChatCall anthropic(byte[] body) throws InvalidRequestException {
		JsonNode root = read(body);
		JsonNode messages = root.get("messages");
		if (messages == null || !messages.isArray() || messages.isEmpty()) {
			throw new InvalidRequestException("messages: field required");
		}
		PromptEstimator estimate = new PromptEstimator();
		if (root.hasNonNull("system")) {
			estimate.message(text(root.get("system")), false);
		}
		for (JsonNode message : messages) {
			estimate.message(text(message.get("content")), false);
		}
		long maxTokens = positive(root, "max_tokens", defaultMaxTokens);
		boolean stream = root.path("stream").asBoolean(false);
		return new ChatCall(model(root, "claude-simulated"), estimate.tokens(), maxTokens, 1, stream, false,
				fingerprint(body));
	}

	private static String model(JsonNode root, String fallback) {
		JsonNode model = root.get("model");
		return model != null && model.isString() && !model.stringValue().isBlank() ? model.stringValue() : fallback;
	}

	private static long positive(JsonNode root, String field, long fallback) throws InvalidRequestException {
		JsonNode node = root.get(field);
		if (node == null || node.isNull()) {
			return fallback;
		}
		if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 1) {
			throw new InvalidRequestException("'" + field + "' must be a positive integer.");
		}
		return node.asLong();
	}

	/**
	 * The text of a content value: a string, or the text parts of an array of blocks, or
	 * nested content.
	 */
	private static String text(JsonNode content) {
		if (content == null || content.isNull()) {
			return "";
		}
		if (content.isString()) {
			return content.stringValue();
		}
		if (content.isArray()) {
			StringBuilder all = new StringBuilder();
			for (JsonNode part : content) {
				if (part.isString()) {
					all.append(part.stringValue());
				}
				else if (part.hasNonNull("text")) {
					all.append(part.get("text").asString());
				}
				else if (part.hasNonNull("content")) {
					all.append(text(part.get("content")));
				}
			}
			return all.toString();
		}
		return content.toString();
	}

	/** FNV-1a over the body bytes. */
	static long fingerprint(byte[] body) {
		long hash = 0xcbf29ce484222325L;
		for (byte b : body) {
			hash ^= b & 0xff;
			hash *= 0x100000001b3L;
		}
		return hash;
	}

}
