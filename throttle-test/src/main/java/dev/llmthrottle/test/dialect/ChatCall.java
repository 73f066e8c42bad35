package dev.llmthrottle.test.dialect;

/**
 * What the simulator needs from a chat request.
 *
 * @param model the requested model name (echoed back)
 * @param promptTokens the prompt estimate (also reported as the actual input usage)
 * @param maxTokens the output cap per choice ({@code max_completion_tokens},
 * {@code max_tokens} or the default)
 * @param choices {@code n} (OpenAI), 1 otherwise
 * @param stream whether an SSE stream was requested
 * @param includeUsage whether the OpenAI stream should end with a usage chunk
 * @param fingerprint a hash of the request body, to derive its completion length
 * reproducibly
 */
public record ChatCall(String model, long promptTokens, long maxTokens, int choices, boolean stream,
		boolean includeUsage, long fingerprint) {
}
