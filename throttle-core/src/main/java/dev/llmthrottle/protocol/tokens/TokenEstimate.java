package dev.llmthrottle.protocol.tokens;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A request's estimated token cost, computed before it is sent.
 *
 * @param inputTokens estimated input (prompt) tokens, at least 0
 * @param outputReservation output tokens to reserve: the request's maximum output times
 * the number of choices, or the configured default when the request states no maximum;
 * the Anthropic dialect may choose not to reserve it (output is charged as produced)
 * @param maxOutputTokens the maximum output the request itself states
 * ({@code max_tokens}, {@code max_completion_tokens}, {@code max_output_tokens}, Gemini
 * {@code maxOutputTokens}), if any
 */
public record TokenEstimate(long inputTokens, long outputReservation, OptionalLong maxOutputTokens) {

	public TokenEstimate {
		Objects.requireNonNull(maxOutputTokens, "maxOutputTokens");
		if (inputTokens < 0 || outputReservation < 0) {
			throw new IllegalArgumentException("estimate must not be negative");
		}
	}

	/** Input plus output reservation, saturating at {@link Long#MAX_VALUE}. */
	public long totalTokens() {
		return TokenJson.add(this.inputTokens, this.outputReservation);
	}

}
