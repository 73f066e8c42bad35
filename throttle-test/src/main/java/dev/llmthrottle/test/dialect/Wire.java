package dev.llmthrottle.test.dialect;

import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.HintStyle;
import dev.llmthrottle.test.engine.Admission;
import dev.llmthrottle.test.engine.Cost;
import dev.llmthrottle.test.engine.RateSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One dialect's wire format and accounting: request parsing, the cost charged at
 * admission, rate-limit headers, hint headers, error replies, response bodies and SSE
 * events.
 */
public interface Wire {

	/** The wire for a dialect. */
	static Wire of(Dialect dialect, boolean roundAnthropicRemaining) {
		switch (dialect) {
			case OPENAI:
				return new OpenAiWire(false);
			case AZURE:
				return new OpenAiWire(true);
			case ANTHROPIC:
				return new AnthropicWire(roundAnthropicRemaining);
			default:
				throw new IllegalStateException("Unknown dialect " + dialect);
		}
	}

	/** The dialect. */
	Dialect dialect();

	/** Whether the path is this dialect's chat endpoint. */
	boolean serves(String path);

	/** Reads a request body. */
	ChatCall parse(byte[] body, ChatCallParser parser) throws InvalidRequestException;

	/** The cost charged at admission. */
	Cost admissionCost(ChatCall call);

	/**
	 * Whether output tokens are charged as they are produced (Anthropic) rather than
	 * reserved at admission and settled at completion (OpenAI).
	 */
	boolean chargesOutputAsProduced();

	/** Rate-limit headers describing the snapshot. */
	Map<String, String> rateHeaders(RateSnapshot snapshot, Instant now);

	/** Headers identifying the response ({@code x-request-id} or {@code request-id}). */
	Map<String, String> idHeaders(long sequence);

	/**
	 * A rate-limit 429.
	 * @param cost the refused request's cost (the "Requested" figure)
	 * @param now the instant of the decision (for HTTP-date hints)
	 * @param withMillis whether an optional {@code retry-after-ms} is sent (a seeded
	 * coin; OpenAI only)
	 */
	Reply throttled(ChatCall call, Admission.Throttled throttled, Cost cost, HintStyle style, Instant now,
			boolean withMillis);

	/** A request that can never fit a limit. */
	Reply tooLarge(ChatCall call, Admission.TooLarge tooLarge);

	/** The concurrency cap is reached. */
	Reply saturated(ChatCall call, Admission.Saturated saturated, HintStyle style, Instant now, boolean withMillis);

	/** Out of quota for good. */
	Reply quotaExhausted(Instant now);

	/** A random server error with the given status. */
	Reply serverError(int status);

	/** A client error (400 invalid request, 404 unknown path). */
	Reply clientError(int status, String message);

	/** The statuses used for random server errors when none are configured. */
	List<Integer> defaultServerErrorStatuses();

	/** The non-streaming response body. */
	byte[] completionBody(ChatCall call, Completion completion, String id, Instant created);

	/** The response id for a request sequence number. */
	String responseId(long sequence);

	/** SSE events sent before any content (may be empty). */
	String streamOpening(ChatCall call, Completion completion, String id, Instant created);

	/** The SSE event carrying a piece of a choice's text. */
	String streamDelta(ChatCall call, String id, Instant created, int choice, String text);

	/** SSE events that end a choice (may be empty). */
	String streamChoiceEnd(ChatCall call, Completion completion, String id, Instant created, int choice);

	/** SSE events that end the stream (usage and terminator). */
	String streamClosing(ChatCall call, Completion completion, String id, Instant created);

}
