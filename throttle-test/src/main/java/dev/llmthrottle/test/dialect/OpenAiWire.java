package dev.llmthrottle.test.dialect;

import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.GoDuration;
import dev.llmthrottle.test.config.HintStyle;
import dev.llmthrottle.test.config.Limit;
import dev.llmthrottle.test.engine.Admission;
import dev.llmthrottle.test.engine.Cost;
import dev.llmthrottle.test.engine.LimitState;
import dev.llmthrottle.test.engine.RateSnapshot;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI chat completions, and its Azure flavour.
 *
 * <p>
 * Accounting: admission charges {@code requests} 1, {@code tokens} prompt + max_tokens *
 * n, {@code input-tokens} prompt, {@code output-tokens} max_tokens * n; completion
 * settles them to the actual usage.
 *
 * <p>
 * Headers on every response: {@code x-ratelimit-limit-X},
 * {@code x-ratelimit-remaining-X}, {@code x-ratelimit-reset-X} for X in requests, tokens
 * (and input-tokens, output-tokens when such limits are configured). Resets are Go
 * durations of whole milliseconds (OpenAI) or bare whole seconds (Azure). Rate-limit 429s
 * carry {@code retry-after} and, on a seeded coin (OpenAI) or always (Azure),
 * {@code retry-after-ms}.
 */
final class OpenAiWire implements Wire {

	private static final Dimension[] REPORTED = { Dimension.REQUESTS, Dimension.TOKENS, Dimension.INPUT_TOKENS,
			Dimension.OUTPUT_TOKENS };

	private final boolean azure;

	OpenAiWire(boolean azure) {
		this.azure = azure;
	}

	@Override
	public Dialect dialect() {
		return azure ? Dialect.AZURE : Dialect.OPENAI;
	}

	@Override
	public boolean serves(String path) {
		return path.equals("/v1/chat/completions") || path.equals("/chat/completions")
				|| azure && path.startsWith("/openai/deployments/") && path.endsWith("/chat/completions");
	}

	@Override
	public ChatCall parse(byte[] body, ChatCallParser parser) throws InvalidRequestException {
		return parser.openAi(body);
	}

	@Override
	public Cost admissionCost(ChatCall call) {
		return Cost.request(call.promptTokens(), call.maxTokens() * call.choices());
	}

	@Override
	public boolean chargesOutputAsProduced() {
		return false;
	}

	@Override
	public Map<String, String> rateHeaders(RateSnapshot snapshot, Instant now) {
		Map<String, String> headers = new LinkedHashMap<>();
		for (Dimension dimension : REPORTED) {
			LimitState state = WireSupport.binding(snapshot, dimension);
			if (state == null) {
				continue;
			}
			String suffix = dimension.key();
			headers.put("x-ratelimit-limit-" + suffix, Long.toString(state.limit().amount()));
			headers.put("x-ratelimit-remaining-" + suffix, Long.toString(state.remaining()));
			headers.put("x-ratelimit-reset-" + suffix, azure ? Long.toString(HttpDates.ceilSeconds(state.resetNanos()))
					: GoDuration.format(HttpDates.ceilMillis(state.resetNanos()) * 1_000_000L));
		}
		return headers;
	}

	@Override
	public Map<String, String> idHeaders(long sequence) {
		return Map.of(azure ? "apim-request-id" : "x-request-id", "req_sim" + sequence);
	}

	@Override
	public Reply throttled(ChatCall call, Admission.Throttled throttled, Cost cost, HintStyle style, Instant now,
			boolean withMillis) {
		Limit limit = throttled.limit();
		long wait = throttled.waitNanos();
		Map<String, String> headers = WireSupport.hintHeaders(style, wait, now, azure || withMillis);
		String kind = "rate-limit:" + limit.dimension().key();
		if (azure) {
			String message = "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
					+ "2024-10-21 have exceeded " + (limit.dimension() == Dimension.REQUESTS ? "call" : "token")
					+ " rate limit of your current OpenAI S0 pricing tier. Please retry after "
					+ Math.max(1, HttpDates.ceilSeconds(wait)) + " seconds. Please go here: "
					+ "https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.";
			ObjectNode body = Json.object();
			ObjectNode error = body.putObject("error");
			error.put("code", "429");
			error.put("message", message);
			return new Reply(429, headers, Json.bytes(body), kind);
		}
		LimitState state = WireSupport.stateOf(throttled.snapshot(), limit);
		String message = "Rate limit reached for " + call.model() + " in organization org-simulated on "
				+ WireSupport.words(limit.dimension()) + " per " + WireSupport.period(limit.period())
				+ WireSupport.abbreviation(limit) + ": Limit " + limit.amount() + ", Used "
				+ (limit.amount() - state.remaining()) + ", Requested " + cost.get(limit.dimension())
				+ ". Please try again in " + WireSupport.goWait(wait)
				+ ". Visit https://platform.openai.com/account/rate-limits to learn more.";
		return new Reply(429, headers, error(message, typeOf(limit), "rate_limit_exceeded"), kind);
	}

	@Override
	public Reply tooLarge(ChatCall call, Admission.TooLarge tooLarge) {
		Limit limit = tooLarge.limit();
		String message = "Request too large for " + call.model() + " in organization org-simulated on "
				+ WireSupport.words(limit.dimension()) + " per " + WireSupport.period(limit.period())
				+ WireSupport.abbreviation(limit) + ": Limit " + limit.amount() + ", Requested " + tooLarge.requested()
				+ ". The input or output tokens must be reduced in order to run successfully. "
				+ "Visit https://platform.openai.com/account/rate-limits to learn more.";
		return new Reply(429, Map.of(), error(message, typeOf(limit), "rate_limit_exceeded"), "too-large");
	}

	@Override
	public Reply saturated(ChatCall call, Admission.Saturated saturated, HintStyle style, Instant now,
			boolean withMillis) {
		String message = "Too many concurrent requests for " + call.model() + ": limit " + saturated.maxConcurrent()
				+ ". Please try again in " + WireSupport.goWait(saturated.waitNanos()) + ".";
		return new Reply(429, WireSupport.hintHeaders(style, saturated.waitNanos(), now, azure || withMillis),
				error(message, "requests", "rate_limit_exceeded"), "concurrency");
	}

	@Override
	public Reply quotaExhausted(Instant now) {
		String message = "You exceeded your current quota, please check your plan and billing details. For more "
				+ "information on this error, read the docs: "
				+ "https://platform.openai.com/docs/guides/error-codes/api-errors.";
		return new Reply(429, Map.of(), error(message, "insufficient_quota", "insufficient_quota"), "quota-exhausted");
	}

	@Override
	public Reply serverError(int status) {
		if (status == 503) {
			return new Reply(503, Map.of(),
					error("The server is overloaded or not ready yet.", "server_error", "server_is_overloaded"),
					"server-error");
		}
		return new Reply(status, Map.of(),
				error("The server had an error while processing your request. Sorry " + "about that!", "server_error",
						null),
				"server-error");
	}

	@Override
	public Reply clientError(int status, String message) {
		return new Reply(status, Map.of(), error(message, "invalid_request_error", null),
				status == 404 ? "not-found" : "invalid-request");
	}

	@Override
	public List<Integer> defaultServerErrorStatuses() {
		return List.of(500, 503);
	}

	private static String typeOf(Limit limit) {
		return limit.dimension() == Dimension.REQUESTS ? "requests" : "tokens";
	}

	private static byte[] error(String message, String type, String code) {
		ObjectNode body = Json.object();
		ObjectNode error = body.putObject("error");
		error.put("message", message);
		error.put("type", type);
		error.putNull("param");
		if (code == null) {
			error.putNull("code");
		}
		else {
			error.put("code", code);
		}
		return Json.bytes(body);
	}

	@Override
	public String responseId(long sequence) {
		return "chatcmpl-sim" + sequence;
	}

	@Override
	public byte[] completionBody(ChatCall call, Completion completion, String id, Instant created) {
		ObjectNode body = header(id, "chat.completion", call, created);
		ArrayNode choices = body.putArray("choices");
		long offset = 0;
		for (int i = 0; i < completion.choiceTokens().size(); i++) {
			long tokens = completion.choiceTokens().get(i);
			ObjectNode choice = choices.addObject();
			choice.put("index", i);
			ObjectNode message = choice.putObject("message");
			message.put("role", "assistant");
			message.put("content", CompletionText.tokens(offset, tokens).substring(1));
			message.putNull("refusal");
			choice.putNull("logprobs");
			choice.put("finish_reason", completion.truncated(i) ? "length" : "stop");
			offset += tokens;
		}
		body.set("usage", usage(completion));
		body.put("system_fingerprint", "fp_simulated");
		return Json.bytes(body);
	}

	private static ObjectNode header(String id, String object, ChatCall call, Instant created) {
		ObjectNode node = Json.object();
		node.put("id", id);
		node.put("object", object);
		node.put("created", created.getEpochSecond());
		node.put("model", call.model());
		return node;
	}

	private static ObjectNode usage(Completion completion) {
		ObjectNode usage = Json.object();
		usage.put("prompt_tokens", completion.promptTokens());
		usage.put("completion_tokens", completion.completionTokens());
		usage.put("total_tokens", completion.promptTokens() + completion.completionTokens());
		usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
		usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
		return usage;
	}

	private static String sse(ObjectNode node) {
		return "data: " + Json.text(node) + "\n\n";
	}

	private static ObjectNode chunk(ChatCall call, String id, Instant created, int index, ObjectNode delta,
			String finishReason) {
		ObjectNode node = header(id, "chat.completion.chunk", call, created);
		node.put("system_fingerprint", "fp_simulated");
		ObjectNode choice = node.putArray("choices").addObject();
		choice.put("index", index);
		choice.set("delta", delta);
		choice.putNull("logprobs");
		if (finishReason == null) {
			choice.putNull("finish_reason");
		}
		else {
			choice.put("finish_reason", finishReason);
		}
		if (call.includeUsage()) {
			node.putNull("usage");
		}
		return node;
	}

	@Override
	public String streamOpening(ChatCall call, Completion completion, String id, Instant created) {
		StringBuilder events = new StringBuilder();
		for (int i = 0; i < completion.choiceTokens().size(); i++) {
			ObjectNode delta = Json.object();
			delta.put("role", "assistant");
			delta.put("content", "");
			delta.putNull("refusal");
			events.append(sse(chunk(call, id, created, i, delta, null)));
		}
		return events.toString();
	}

	@Override
	public String streamDelta(ChatCall call, String id, Instant created, int choice, String text) {
		ObjectNode delta = Json.object();
		delta.put("content", text);
		return sse(chunk(call, id, created, choice, delta, null));
	}

	@Override
	public String streamChoiceEnd(ChatCall call, Completion completion, String id, Instant created, int choice) {
		return sse(chunk(call, id, created, choice, Json.object(), completion.truncated(choice) ? "length" : "stop"));
	}

	@Override
	public String streamClosing(ChatCall call, Completion completion, String id, Instant created) {
		StringBuilder events = new StringBuilder();
		if (call.includeUsage()) {
			ObjectNode node = header(id, "chat.completion.chunk", call, created);
			node.put("system_fingerprint", "fp_simulated");
			node.putArray("choices");
			node.set("usage", usage(completion));
			events.append(sse(node));
		}
		return events.append("data: [DONE]\n\n").toString();
	}

}
