package dev.llmthrottle.sample.batch;

/**
 * The outcome of one prompt, as written to the results file.
 *
 * @param id the prompt id
 * @param ok whether a completion came back
 * @param httpStatus status of the last response, 0 when none arrived
 * @param inputTokens prompt tokens the provider reported (0 on failure)
 * @param outputTokens completion tokens the provider reported (0 on failure)
 * @param attempts HTTP attempts made, retries included (0 when it was refused before
 * sending)
 * @param sentMs when the first attempt left, in milliseconds since the start of the batch
 * (-1 if never)
 * @param waitMs time from submission to the first attempt (waiting for admission)
 * @param latencyMs time of the last attempt on the wire
 * @param totalMs time from submission to the outcome
 * @param error why it failed, or {@code null}
 */
record CallResult(String id, boolean ok, int httpStatus, long inputTokens, long outputTokens, int attempts, long sentMs,
		long waitMs, long latencyMs, long totalMs, String error) {
}
