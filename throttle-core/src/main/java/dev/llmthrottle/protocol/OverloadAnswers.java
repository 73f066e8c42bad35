package dev.llmthrottle.protocol;

import java.util.Locale;

/**
 * Whether a refusal says the provider is overloaded or that too many calls are in flight,
 * rather than that a rate is exceeded: Anthropic's 529 ({@code overloaded_error}), a 503,
 * OpenAI-style 429s about concurrent requests. Such answers lower
 * {@code max-concurrent: auto}; rate-limit 429s do not (the rate limits deal with them).
 * Reads only the status and the start of the body, never throws.
 */
public final class OverloadAnswers {

	/** How much of the body is looked at. */
	private static final int SCANNED = 4096;

	private OverloadAnswers() {
	}

	/**
	 * @param status the HTTP status
	 * @param body the error body as text (bounded), may be empty
	 * @return whether the refusal is an overload or concurrency refusal
	 */
	public static boolean isOverload(int status, String body) {
		if (status == 529 || status == 503) {
			return true;
		}
		if (status < 400 || body == null || body.isEmpty()) {
			return false;
		}
		String text = ((body.length() > SCANNED) ? body.substring(0, SCANNED) : body).toLowerCase(Locale.ROOT);
		return text.contains("overloaded_error") || text.contains("server_is_overloaded")
				|| text.contains("too many concurrent") || text.contains("concurrent requests")
				|| text.contains("concurrency limit");
	}

}
