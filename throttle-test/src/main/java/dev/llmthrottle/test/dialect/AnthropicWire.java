package dev.llmthrottle.test.dialect;

import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.HintStyle;
import dev.llmthrottle.test.config.Limit;
import dev.llmthrottle.test.engine.Admission;
import dev.llmthrottle.test.engine.Cost;
import dev.llmthrottle.test.engine.LimitState;
import dev.llmthrottle.test.engine.RateSnapshot;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Anthropic messages.
 *
 * <p>
 * Accounting: admission charges {@code requests} 1 and the input estimate to
 * {@code input-tokens} and {@code tokens}; output tokens are charged to
 * {@code output-tokens} and {@code tokens} as they are produced (at completion without
 * streaming, per content event when streaming). {@code max_tokens} is not reserved.
 *
 * <p>
 * Headers on every response: {@code anthropic-ratelimit-X-limit}, {@code -remaining},
 * {@code -reset} for X in requests, input-tokens, output-tokens, tokens (those
 * configured; {@code tokens} reports a configured tokens limit, else input and output
 * combined). Resets are RFC 3339 instants, rounded up to the second, at which the limit
 * is fully restored. Token remaining values are rounded to the nearest 1,000 unless
 * disabled. Rate-limit 429s carry {@code retry-after} in whole seconds.
 */
final class AnthropicWire implements Wire {

	private final boolean roundRemaining;

	AnthropicWire(boolean roundRemaining) {
		this.roundRemaining = roundRemaining;
	}

	@Override
	public Dialect dialect() {
		return Dialect.ANTHROPIC;
	}

	@Override
	public boolean serves(String path) {
		return path.equals("/v1/messages");
	}

	@Override
	public ChatCall parse(byte[] body, ChatCallParser parser) throws InvalidRequestException {
		return parser.anthropic(body);
	}

	@Override
	public Cost admissionCost(ChatCall call) {
		return Cost.request(call.promptTokens(), 0);
	}

	@Override
	public boolean chargesOutputAsProduced() {
		return true;
	}

	@Override
	public Map<String, String> rateHeaders(RateSnapshot snapshot, Instant now) {
		Map<String, String> headers = new LinkedHashMap<>();
		put(headers, "requests", WireSupport.binding(snapshot, Dimension.REQUESTS), now, false);
		LimitState input = WireSupport.binding(snapshot, Dimension.INPUT_TOKENS);
		LimitState output = WireSupport.binding(snapshot, Dimension.OUTPUT_TOKENS);
		put(headers, "input-tokens", input, now, roundRemaining);
		put(headers, "output-tokens", output, now, roundRemaining);
		LimitState tokens = WireSupport.binding(snapshot, Dimension.TOKENS);
		if (tokens != null) {
			put(headers, "tokens", tokens, now, roundRemaining);
		}
		else if (input != null || output != null) {
			long limit = 0;
			long remaining = 0;
			long reset = 0;
			for (LimitState s : new LimitState[] { input, output }) {
				if (s != null) {
					limit += s.limit().amount();
					remaining += s.remaining();
					reset = Math.max(reset, s.resetNanos());
				}
			}
			putValues(headers, "tokens", limit, remaining, reset, now, roundRemaining);
		}
		return headers;
	}

	private static void put(Map<String, String> headers, String group, LimitState state, Instant now, boolean round) {
		if (state != null) {
			putValues(headers, group, state.limit().amount(), state.remaining(), state.resetNanos(), now, round);
		}
	}

	private static void putValues(Map<String, String> headers, String group, long limit, long remaining,
			long resetNanos, Instant now, boolean round) {
		String prefix = "anthropic-ratelimit-" + group + "-";
		headers.put(prefix + "limit", Long.toString(limit));
		headers.put(prefix + "remaining", Long.toString(round ? Math.round(remaining / 1000.0) * 1000 : remaining));
		headers.put(prefix + "reset", HttpDates.rfc3339(HttpDates.ceilSecond(now.plusNanos(resetNanos))));
	}

	@Override
	public Map<String, String> idHeaders(long sequence) {
		return Map.of("request-id", "req_sim" + sequence);
	}

	@Override
	public Reply throttled(ChatCall call, Admission.Throttled throttled, Cost cost, HintStyle style, Instant now,
			boolean withMillis) {
		Limit limit = throttled.limit();
		String message = "This request would exceed the rate limit for your organization (org-simulated) of "
				+ limit.amount() + " " + WireSupport.words(limit.dimension()) + " per "
				+ WireSupport.period(limit.period()) + ". Please try again in "
				+ WireSupport.goWait(throttled.waitNanos()) + ".";
		return new Reply(429, WireSupport.hintHeaders(style, throttled.waitNanos(), now, false),
				error("rate_limit_error", message, null), "rate-limit:" + limit.dimension().key());
	}

	@Override
	public Reply tooLarge(ChatCall call, Admission.TooLarge tooLarge) {
		Limit limit = tooLarge.limit();
		String words = WireSupport.words(limit.dimension());
		String message = "Request too large: this request would use " + tooLarge.requested() + " " + words
				+ ", more than your organization's rate limit of " + limit.amount() + " " + words + " per "
				+ WireSupport.period(limit.period()) + "; it cannot succeed without being reduced.";
		return new Reply(429, Map.of(), error("rate_limit_error", message, null), "too-large");
	}

	@Override
	public Reply saturated(ChatCall call, Admission.Saturated saturated, HintStyle style, Instant now,
			boolean withMillis) {
		return new Reply(529, Map.of(), error("overloaded_error", "Overloaded", null), "concurrency");
	}

	@Override
	public Reply quotaExhausted(Instant now) {
		ZonedDateTime regain = now.atZone(ZoneOffset.UTC)
			.toLocalDate()
			.withDayOfMonth(1)
			.plusMonths(1)
			.atStartOfDay(ZoneOffset.UTC);
		String message = "You have reached your specified API usage limits. You will regain access on "
				+ regain.toLocalDate() + " at 00:00 UTC.";
		return new Reply(429, Map.of(), error("rate_limit_error", message, "enforced_spend_limit_reached"),
				"quota-exhausted");
	}

	@Override
	public Reply serverError(int status) {
		if (status == 529) {
			return new Reply(529, Map.of(), error("overloaded_error", "Overloaded", null), "server-error");
		}
		if (status == 504) {
			return new Reply(504, Map.of(), error("timeout_error", "Request timed out", null), "server-error");
		}
		return new Reply(status, Map.of(), error("api_error", "Internal server error", null), "server-error");
	}

	@Override
	public Reply clientError(int status, String message) {
		return new Reply(status, Map.of(),
				error(status == 404 ? "not_found_error" : "invalid_request_error", message, null),
				status == 404 ? "not-found" : "invalid-request");
	}

	@Override
	public List<Integer> defaultServerErrorStatuses() {
		return List.of(500, 529);
	}

	private static byte[] error(String type, String message, String errorCode) {
		ObjectNode body = Json.object();
		body.put("type", "error");
		ObjectNode error = body.putObject("error");
		error.put("type", type);
		error.put("message", message);
		if (errorCode != null) {
			error.putObject("details").put("error_code", errorCode);
		}
		return Json.bytes(body);
	}

	@Override
	public String responseId(long sequence) {
		return "msg_sim" + sequence;
	}

	private static ObjectNode message(String id, ChatCall call) {
		ObjectNode message = Json.object();
		message.put("id", id);
		message.put("type", "message");
		message.put("role", "assistant");
		message.put("model", call.model());
		return message;
	}

	private static String stopReason(Completion completion) {
		return completion.truncated(0) ? "max_tokens" : "end_turn";
	}

	@Override
	public byte[] completionBody(ChatCall call, Completion completion, String id, Instant created) {
		ObjectNode body = message(id, call);
		ObjectNode text = body.putArray("content").addObject();
		text.put("type", "text");
		text.put("text", CompletionText.tokens(0, completion.completionTokens()).substring(1));
		body.put("stop_reason", stopReason(completion));
		body.putNull("stop_sequence");
		ObjectNode usage = body.putObject("usage");
		usage.put("input_tokens", completion.promptTokens());
		usage.put("cache_creation_input_tokens", 0);
		usage.put("cache_read_input_tokens", 0);
		usage.put("output_tokens", completion.completionTokens());
		return Json.bytes(body);
	}

	private static String event(String name, ObjectNode data) {
		return "event: " + name + "\ndata: " + Json.text(data) + "\n\n";
	}

	@Override
	public String streamOpening(ChatCall call, Completion completion, String id, Instant created) {
		ObjectNode start = Json.object();
		start.put("type", "message_start");
		ObjectNode message = message(id, call);
		message.putArray("content");
		message.putNull("stop_reason");
		message.putNull("stop_sequence");
		ObjectNode usage = message.putObject("usage");
		usage.put("input_tokens", completion.promptTokens());
		usage.put("cache_creation_input_tokens", 0);
		usage.put("cache_read_input_tokens", 0);
		usage.put("output_tokens", 1);
		start.set("message", message);

		ObjectNode blockStart = Json.object();
		blockStart.put("type", "content_block_start");
		blockStart.put("index", 0);
		ObjectNode block = blockStart.putObject("content_block");
		block.put("type", "text");
		block.put("text", "");

		ObjectNode ping = Json.object();
		ping.put("type", "ping");
		return event("message_start", start) + event("content_block_start", blockStart) + event("ping", ping);
	}

	@Override
	public String streamDelta(ChatCall call, String id, Instant created, int choice, String text) {
		ObjectNode delta = Json.object();
		delta.put("type", "content_block_delta");
		delta.put("index", 0);
		ObjectNode d = delta.putObject("delta");
		d.put("type", "text_delta");
		d.put("text", text);
		return event("content_block_delta", delta);
	}

	@Override
	public String streamChoiceEnd(ChatCall call, Completion completion, String id, Instant created, int choice) {
		ObjectNode stop = Json.object();
		stop.put("type", "content_block_stop");
		stop.put("index", 0);
		return event("content_block_stop", stop);
	}

	@Override
	public String streamClosing(ChatCall call, Completion completion, String id, Instant created) {
		ObjectNode delta = Json.object();
		delta.put("type", "message_delta");
		ObjectNode d = delta.putObject("delta");
		d.put("stop_reason", stopReason(completion));
		d.putNull("stop_sequence");
		delta.putObject("usage").put("output_tokens", completion.completionTokens());
		ObjectNode stop = Json.object();
		stop.put("type", "message_stop");
		return event("message_delta", delta) + event("message_stop", stop);
	}

}
