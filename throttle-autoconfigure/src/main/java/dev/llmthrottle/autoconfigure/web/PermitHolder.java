package dev.llmthrottle.autoconfigure.web;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.Permit;

/**
 * One attempt's permit, released by whichever path ends the attempt first (response read, stream end, error,
 * cancellation) and by no other. When the call runs under an admission made outside (an annotated method), that
 * permit is not ours to release: the actual cost is reported to it instead, so it settles when its owner releases.
 */
final class PermitHolder {

	private final Permit own;

	private final Permit outer;

	private final AtomicBoolean done = new AtomicBoolean();

	private PermitHolder(Permit own, Permit outer) {
		this.own = own;
		this.outer = outer;
	}

	/** A permit this attempt took and must release. */
	static PermitHolder owning(Permit permit) {
		return new PermitHolder(permit, null);
	}

	/** An admission made outside, which its owner releases. */
	static PermitHolder underOuter(Permit outer) {
		return new PermitHolder(null, outer);
	}

	/** Releases as sent, settling to {@code actual} ({@code null} keeps the estimate). */
	void release(Cost actual) {
		if (!this.done.compareAndSet(false, true)) {
			return;
		}
		if (this.own != null) {
			this.own.release(actual);
		}
		else if (this.outer != null && actual != null) {
			this.outer.reportActual(actual);
		}
	}

	/** A response the provider refused: the request counts, its tokens were not spent. */
	void releaseRefused() {
		release((this.own != null) ? Cost.oneRequest() : null);
	}

}
