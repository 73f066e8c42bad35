package dev.llmthrottle.autoconfigure.web;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.Permit;

/**
 * One attempt's permit, released by whichever path ends the attempt first (response read, stream end, error,
 * cancellation) and by no other. A {@code null} permit means the call runs under an admission made outside (an
 * annotated method), which owns its release.
 */
final class PermitHolder {

	private final Permit permit;

	private final AtomicBoolean done = new AtomicBoolean();

	PermitHolder(Permit permit) {
		this.permit = permit;
	}

	/** Releases as sent, settling to {@code actual} ({@code null} keeps the estimate). */
	void release(Cost actual) {
		if (this.permit != null && this.done.compareAndSet(false, true)) {
			this.permit.release(actual);
		}
	}

	/** A response the provider refused: the request counts, its tokens were not spent. */
	void releaseRefused() {
		release(Cost.oneRequest());
	}

}
