package dev.llmthrottle.sample.batch;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.sample.client.CallTrace;
import dev.llmthrottle.sample.client.Prompt;

/**
 * One prompt of the batch while and after it is called.
 */
final class BatchCall {

	private final Prompt prompt;

	private final CallTrace trace;

	private volatile long submittedAt;

	private volatile CallResult result;

	private volatile long completedAt;

	BatchCall(Prompt prompt, CallTrace.Listener listener) {
		this.prompt = prompt;
		this.trace = new CallTrace(prompt.id(), listener);
	}

	Prompt prompt() {
		return this.prompt;
	}

	CallTrace trace() {
		return this.trace;
	}

	void submitted() {
		this.submittedAt = System.nanoTime();
	}

	long submittedAt() {
		return this.submittedAt;
	}

	void complete(CallResult result) {
		this.completedAt = System.nanoTime();
		this.result = result;
	}

	/** The outcome, or {@code null} while the call runs. */
	CallResult result() {
		return this.result;
	}

	long completedAt() {
		return this.completedAt;
	}

	/**
	 * What the call spends of a token dimension: the provider's usage once it succeeded,
	 * the estimate while it runs (the prompt estimate, and {@code max_tokens} for
	 * output), nothing once it failed.
	 */
	long tokens(Dimension dimension) {
		CallResult done = this.result;
		long input = (done != null) ? (done.ok() ? done.inputTokens() : 0) : this.prompt.estimatedInputTokens();
		long output = (done != null) ? (done.ok() ? done.outputTokens() : 0) : this.prompt.maxTokens();
		return switch (dimension) {
			case REQUESTS -> 1;
			case TOKENS -> input + output;
			case INPUT_TOKENS -> input;
			case OUTPUT_TOKENS -> output;
		};
	}

}
