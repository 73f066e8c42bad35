package dev.llmthrottle.protocol.tokens;

import java.util.Optional;
import java.util.OptionalLong;

import dev.llmthrottle.protocol.internal.Json;
import tools.jackson.databind.JsonNode;

/**
 * Estimates requests for providers without a local tokenizer (Anthropic, Gemini, generic)
 * with the chars/4 rule times a safety factor (protocol.md §5). Because chars/4
 * undercounts CJK text by 2x or more, characters are weighted: ASCII 1/4 token, other
 * characters below U+2E80 1/2 token, CJK and everything above (including emoji) 1 token
 * each. Each message adds 3 tokens, each image {@value #IMAGE_TOKENS} (Anthropic's
 * largest standard image); base64 payloads are not counted as text. Reads Anthropic
 * ({@code system}, {@code messages}, {@code tools}), Gemini ({@code contents},
 * {@code systemInstruction}, {@code tools}) and OpenAI-shaped bodies. The output
 * reservation is the request's maximum ({@code max_tokens}, Gemini
 * {@code maxOutputTokens}, ...) times its number of choices, or the default.
 */
public final class HeuristicTokenEstimator implements TokenEstimator {

	/** Tokens charged for one image. */
	public static final long IMAGE_TOKENS = 1_600;

	private static final long PER_MESSAGE = 3;

	private static final String[] TEXT_FIELDS = { "system", "messages", "contents", "systemInstruction",
			"system_instruction", "prompt", "input", "instructions" };

	private static final String[] SCHEMA_FIELDS = { "tools", "functions", "tool_config", "toolConfig",
			"response_format" };

	private final long defaultOutputTokens;

	private final double safetyFactor;

	/**
	 * Creates an estimator.
	 * @param defaultOutputTokens the output reservation per choice when a request states
	 * no maximum
	 * @param safetyFactor the factor applied to the input estimate, at least 1 and finite
	 */
	public HeuristicTokenEstimator(long defaultOutputTokens, double safetyFactor) {
		if (defaultOutputTokens < 0) {
			throw new IllegalArgumentException("defaultOutputTokens must not be negative");
		}
		if (!Double.isFinite(safetyFactor) || safetyFactor < 1 || safetyFactor > 100) {
			throw new IllegalArgumentException("safetyFactor must be between 1 and 100 but was " + safetyFactor);
		}
		this.defaultOutputTokens = defaultOutputTokens;
		this.safetyFactor = safetyFactor;
	}

	/**
	 * The weighted token count of a text, before any safety factor: ASCII 1/4, other
	 * characters below U+2E80 1/2, the rest 1 per code point.
	 * @param text the text, may be {@code null}
	 * @return the (fractional) token count
	 */
	public static double weightedTokens(CharSequence text) {
		if (text == null) {
			return 0;
		}
		double tokens = 0;
		int length = text.length();
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				tokens += 0.25;
			}
			else if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1))) {
				// the second half of a code point already counted
				continue;
			}
			else if (c < 0x2E80) {
				tokens += 0.5;
			}
			else {
				tokens += 1;
			}
		}
		return tokens;
	}

	@Override
	public TokenEstimate estimate(String requestBody) {
		Optional<JsonNode> parsed = Json.parse(requestBody);
		if (parsed.isEmpty() || !parsed.get().isObject()) {
			return new TokenEstimate(scaled(weightedTokens(requestBody)), this.defaultOutputTokens,
					OptionalLong.empty());
		}
		JsonNode root = parsed.get();
		Weighing weighing = new Weighing();
		for (String field : TEXT_FIELDS) {
			JsonNode node = root.get(field);
			RequestBodies.walk(node, weighing);
			if (node != null && node.isArray() && !field.equals("input") && !field.equals("prompt")) {
				weighing.overhead = TokenJson.add(weighing.overhead, TokenJson.multiply(PER_MESSAGE, node.size()));
			}
		}
		for (String field : SCHEMA_FIELDS) {
			JsonNode node = root.get(field);
			if (node != null && (node.isArray() || node.isObject())) {
				weighing.text(node.toString());
			}
		}
		long input = TokenJson.add(scaled(weighing.tokens), weighing.overhead);
		OptionalLong maxOutput = RequestBodies.maxOutputTokens(root);
		long output = RequestBodies.outputReservation(maxOutput, RequestBodies.choices(root), this.defaultOutputTokens);
		return new TokenEstimate(input, output, maxOutput);
	}

	private long scaled(double tokens) {
		double value = Math.ceil(tokens * this.safetyFactor);
		return (value >= Long.MAX_VALUE) ? Long.MAX_VALUE : (long) value;
	}

	/** Accumulates weighted tokens; one per estimate, not shared. */
	private static final class Weighing implements RequestBodies.Sink {

		private double tokens;

		private long overhead;

		@Override
		public void text(String text) {
			this.tokens += weightedTokens(text);
		}

		@Override
		public void image() {
			this.overhead = TokenJson.add(this.overhead, IMAGE_TOKENS);
		}

	}

}
