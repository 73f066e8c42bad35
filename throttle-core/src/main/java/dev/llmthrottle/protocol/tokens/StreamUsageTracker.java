package dev.llmthrottle.protocol.tokens;

import java.util.Optional;
import java.util.OptionalLong;

import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.internal.Json;
import tools.jackson.databind.JsonNode;

/**
 * Follows one server-sent-event stream and reports its final usage (protocol.md §5). Feed
 * it every {@code data:} payload in order; ask {@link #finalUsage()} at the end.
 * <ul>
 * <li>OpenAI chat with {@code stream_options.include_usage}: the last chunk before
 * {@code [DONE]} carries {@code usage} (earlier chunks have {@code usage: null}).</li>
 * <li>OpenAI Responses: {@code response.completed} (or
 * {@code .incomplete}/{@code .failed}) carries {@code response.usage}.</li>
 * <li>Anthropic: {@code message_start} carries the input usage, {@code message_delta} a
 * <em>cumulative</em> {@code output_tokens}; the usage is final once a
 * {@code message_delta} arrived.</li>
 * <li>Gemini: every chunk carries {@code usageMetadata}; it is final once a candidate has
 * a {@code finishReason}.</li>
 * </ul>
 * A stream cut before its usage event has no final usage: the caller keeps its estimate.
 * Malformed payloads are ignored.
 *
 * <p>
 * One instance per stream. Methods are synchronized because the stream is fed on one
 * thread and may be read on another when it terminates; the lock is uncontended.
 */
public final class StreamUsageTracker {

	private final Dialect dialect;

	private long inputTokens = -1;

	private long outputTokens = -1;

	private long cachedInputTokens = -1;

	private boolean complete;

	/**
	 * Creates a tracker for one stream.
	 * @param dialect the provider's dialect, may be {@code null}
	 */
	public StreamUsageTracker(Dialect dialect) {
		this.dialect = (dialect != null) ? dialect : Dialect.GENERIC;
	}

	/**
	 * Feeds one event payload. {@code [DONE]}, blank and malformed payloads are ignored.
	 * @param payload the {@code data:} payload, with or without the {@code data:} prefix
	 */
	public synchronized void onData(String payload) {
		if (payload == null) {
			return;
		}
		String data = payload.trim();
		if (data.startsWith("data:")) {
			data = data.substring(5).trim();
		}
		if (data.isEmpty() || data.equals("[DONE]") || data.charAt(0) != '{') {
			return;
		}
		Json.parse(data).ifPresent(this::onEvent);
	}

	/** The usage once the stream's usage event arrived; empty when it never did. */
	public synchronized Optional<Usage> finalUsage() {
		return this.complete ? current() : Optional.empty();
	}

	/** Whatever usage has been seen so far, final or not (Anthropic input usage, say). */
	public synchronized Optional<Usage> partialUsage() {
		return current();
	}

	/** Whether the stream's final usage has arrived. */
	public synchronized boolean complete() {
		return this.complete && current().isPresent();
	}

	private void onEvent(JsonNode event) {
		if (!event.isObject()) {
			return;
		}
		String type = TokenJson.string(event, "type").orElse("");
		switch (type) {
			case "message_start":
				UsageExtractor.fromUsageObject(event.path("message").path("usage")).ifPresent(this::replace);
				return;
			case "message_delta":
				onAnthropicDelta(event.path("usage"));
				return;
			case "response.completed":
			case "response.incomplete":
			case "response.failed":
				UsageExtractor.fromUsageObject(event.path("response").path("usage")).ifPresent((usage) -> {
					replace(usage);
					this.complete = true;
				});
				return;
			default:
				break;
		}
		JsonNode usage = event.get("usage");
		if (usage != null && usage.isObject()) {
			UsageExtractor.fromUsageObject(usage).ifPresent((found) -> {
				replace(found);
				this.complete = true;
			});
			return;
		}
		JsonNode metadata = event.get("usageMetadata");
		if (metadata != null && metadata.isObject()) {
			UsageExtractor.fromUsageMetadata(metadata).ifPresent(this::replace);
			if (hasFinishReason(event)) {
				this.complete = true;
			}
		}
		else if (this.dialect == Dialect.GEMINI && hasFinishReason(event) && this.inputTokens >= 0) {
			this.complete = true;
		}
	}

	/**
	 * {@code message_delta.usage}: cumulative output, and in newer API versions
	 * cumulative input.
	 */
	private void onAnthropicDelta(JsonNode usage) {
		if (!usage.isObject()) {
			return;
		}
		OptionalLong output = TokenJson.count(usage, "output_tokens");
		if (output.isEmpty()) {
			return;
		}
		this.outputTokens = output.getAsLong();
		OptionalLong input = TokenJson.count(usage, "input_tokens");
		if (input.isPresent()) {
			this.inputTokens = TokenJson.add(input.getAsLong(),
					TokenJson.count(usage, "cache_creation_input_tokens").orElse(0));
		}
		TokenJson.count(usage, "cache_read_input_tokens").ifPresent((cached) -> this.cachedInputTokens = cached);
		if (this.inputTokens < 0) {
			this.inputTokens = 0;
		}
		this.complete = true;
	}

	private static boolean hasFinishReason(JsonNode event) {
		JsonNode candidates = event.get("candidates");
		if (candidates == null || !candidates.isArray()) {
			return false;
		}
		for (JsonNode candidate : candidates) {
			if (TokenJson.string(candidate, "finishReason").filter((reason) -> !reason.isBlank()).isPresent()) {
				return true;
			}
		}
		return false;
	}

	private void replace(Usage usage) {
		this.inputTokens = usage.inputTokens();
		this.outputTokens = usage.outputTokens();
		this.cachedInputTokens = usage.cachedInputTokens().orElse(-1);
	}

	private Optional<Usage> current() {
		if (this.inputTokens < 0 && this.outputTokens < 0) {
			return Optional.empty();
		}
		OptionalLong cached = (this.cachedInputTokens >= 0) ? OptionalLong.of(this.cachedInputTokens)
				: OptionalLong.empty();
		return Optional.of(new Usage(Math.max(this.inputTokens, 0), Math.max(this.outputTokens, 0), cached));
	}

}
