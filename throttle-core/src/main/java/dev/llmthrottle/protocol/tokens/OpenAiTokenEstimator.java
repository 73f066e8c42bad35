package dev.llmthrottle.protocol.tokens;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import dev.llmthrottle.protocol.internal.Json;
import com.knuddels.jtokkit.api.EncodingType;
import tools.jackson.databind.JsonNode;

/**
 * Estimates OpenAI and Azure OpenAI requests with the model's tokenizer (protocol.md §5,
 * design.md): prompt tokens counted by jtokkit, plus 3 per message, 1 per {@code name},
 * and 3 to prime the reply (the cookbook's formula); tool and response-format schemas are
 * counted as their JSON text; an image part counts {@value #IMAGE_TOKENS}. The output
 * reservation is
 * {@code (max_completion_tokens | max_tokens | max_output_tokens | default) x max(n, best_of)};
 * embedding models reserve no output. Chat completions ({@code messages}), Responses
 * ({@code input}, {@code instructions}), completions ({@code prompt}) and embeddings
 * ({@code input}) bodies are understood. A malformed body falls back to chars/4 of the
 * raw text.
 */
public final class OpenAiTokenEstimator implements TokenEstimator {

	/** Tokens charged for one image part: a 1024x1024 high-detail image. */
	public static final long IMAGE_TOKENS = 765;

	private static final long PER_MESSAGE = 3;

	private static final long PER_NAME = 1;

	private static final long REPLY_PRIMING = 3;

	private final JtokkitTokenCounter counter;

	private final long defaultOutputTokens;

	/**
	 * Creates an estimator.
	 * @param counter the shared token counter
	 * @param defaultOutputTokens the output reservation per choice when a request states
	 * no maximum
	 */
	public OpenAiTokenEstimator(JtokkitTokenCounter counter, long defaultOutputTokens) {
		this.counter = Objects.requireNonNull(counter, "counter");
		if (defaultOutputTokens < 0) {
			throw new IllegalArgumentException("defaultOutputTokens must not be negative");
		}
		this.defaultOutputTokens = defaultOutputTokens;
	}

	@Override
	public TokenEstimate estimate(String requestBody) {
		Optional<JsonNode> parsed = Json.parse(requestBody);
		if (parsed.isEmpty() || !parsed.get().isObject()) {
			long input = (requestBody != null) ? (requestBody.length() + 3L) / 4 : 0;
			return new TokenEstimate(input, this.defaultOutputTokens, OptionalLong.empty());
		}
		JsonNode root = parsed.get();
		String model = TokenJson.string(root, "model").orElse(null);
		EncodingType encoding = JtokkitTokenCounter.encodingFor(model);
		long input = promptTokens(root, encoding);
		OptionalLong maxOutput = RequestBodies.maxOutputTokens(root);
		long output = (model != null && model.toLowerCase(Locale.ROOT).contains("embedding")) ? 0
				: RequestBodies.outputReservation(maxOutput, RequestBodies.choices(root), this.defaultOutputTokens);
		return new TokenEstimate(input, output, maxOutput);
	}

	private long promptTokens(JsonNode root, EncodingType encoding) {
		Counting counting = new Counting(encoding);
		JsonNode messages = root.get("messages");
		JsonNode input = root.get("input");
		if (messages != null && messages.isArray()) {
			countMessages(messages, counting);
		}
		else if (input != null && input.isArray() && input.size() > 0 && input.get(0).isObject()) {
			countMessages(input, counting);
		}
		else if (input != null && input.isArray()) {
			countTokenArrays(input, counting);
		}
		else {
			RequestBodies.walk(input, counting);
		}
		RequestBodies.walk(root.get("prompt"), counting);
		RequestBodies.walk(root.get("instructions"), counting);
		for (String schema : new String[] { "tools", "functions", "response_format" }) {
			JsonNode node = root.get(schema);
			if (node != null && (node.isArray() || node.isObject())) {
				counting.text(node.toString());
			}
		}
		return counting.tokens;
	}

	private void countMessages(JsonNode messages, Counting counting) {
		for (JsonNode message : messages) {
			counting.add(PER_MESSAGE);
			if (!message.isObject()) {
				RequestBodies.walk(message, counting);
				continue;
			}
			for (Map.Entry<String, JsonNode> field : message.properties()) {
				if (field.getKey().equals("role")) {
					counting.text(field.getValue().isString() ? field.getValue().stringValue() : "");
				}
				else {
					if (field.getKey().equals("name")) {
						counting.add(PER_NAME);
					}
					RequestBodies.walk(field.getValue(), counting);
				}
			}
		}
		counting.add(REPLY_PRIMING);
	}

	/**
	 * Embeddings accept pre-tokenized input: arrays of token ids, or arrays of such
	 * arrays.
	 */
	private void countTokenArrays(JsonNode input, Counting counting) {
		for (JsonNode element : input) {
			if (element.isNumber()) {
				counting.add(1);
			}
			else if (element.isArray()) {
				counting.add(element.size());
			}
			else {
				RequestBodies.walk(element, counting);
			}
		}
	}

	/** Accumulates a token count; one per estimate, not shared. */
	private final class Counting implements RequestBodies.Sink {

		private final EncodingType encoding;

		private long tokens;

		Counting(EncodingType encoding) {
			this.encoding = encoding;
		}

		@Override
		public void text(String text) {
			add(OpenAiTokenEstimator.this.counter.count(text, this.encoding));
		}

		@Override
		public void image() {
			add(IMAGE_TOKENS);
		}

		void add(long amount) {
			this.tokens = TokenJson.add(this.tokens, amount);
		}

	}

}
