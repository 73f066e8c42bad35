package dev.llmthrottle.sample.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.llmthrottle.sample.client.CallTrace;
import dev.llmthrottle.sample.client.Prompt;

/**
 * Everything one batch run saw on the wire: its calls and running counts of attempts and
 * responses.
 */
final class BatchRecorder implements CallTrace.Listener {

	private final List<BatchCall> calls;

	private final AtomicLong attempts = new AtomicLong();

	private final AtomicLong tooManyRequests = new AtomicLong();

	private final AtomicLong serverErrors = new AtomicLong();

	private final AtomicLong transportFailures = new AtomicLong();

	private final AtomicLong completed = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private volatile long startedAt;

	private volatile long finishedAt;

	BatchRecorder(List<Prompt> prompts) {
		List<BatchCall> list = new ArrayList<>(prompts.size());
		for (Prompt prompt : prompts) {
			list.add(new BatchCall(prompt, this));
		}
		this.calls = List.copyOf(list);
	}

	List<BatchCall> calls() {
		return this.calls;
	}

	void started() {
		this.startedAt = System.nanoTime();
	}

	void finished() {
		this.finishedAt = System.nanoTime();
	}

	long startedAt() {
		return this.startedAt;
	}

	/** Seconds from the start of the batch to {@code nanoTime}. */
	double secondsSinceStart(long nanoTime) {
		return (nanoTime - this.startedAt) / 1e9;
	}

	/** From the first submission to the last outcome. */
	double makespanSeconds() {
		return secondsSinceStart(this.finishedAt);
	}

	void record(BatchCall call, CallResult result) {
		call.complete(result);
		this.completed.incrementAndGet();
		if (!result.ok()) {
			this.failed.incrementAndGet();
		}
	}

	@Override
	public void attemptStarted(CallTrace trace, CallTrace.Attempt attempt) {
		this.attempts.incrementAndGet();
	}

	@Override
	public void attemptResponded(CallTrace trace, CallTrace.Attempt attempt) {
		int status = attempt.status();
		if (status == 429) {
			this.tooManyRequests.incrementAndGet();
		}
		else if (status >= 500) {
			this.serverErrors.incrementAndGet();
		}
		else if (status == 0) {
			this.transportFailures.incrementAndGet();
		}
	}

	/** HTTP attempts sent so far, retries included. */
	long attempts() {
		return this.attempts.get();
	}

	/** 429 responses received so far (as seen by the innermost filter). */
	long tooManyRequests() {
		return this.tooManyRequests.get();
	}

	/** 5xx responses received so far. */
	long serverErrors() {
		return this.serverErrors.get();
	}

	/** Attempts that got no response at all (connection refused or reset). */
	long transportFailures() {
		return this.transportFailures.get();
	}

	long completed() {
		return this.completed.get();
	}

	long failed() {
		return this.failed.get();
	}

}
