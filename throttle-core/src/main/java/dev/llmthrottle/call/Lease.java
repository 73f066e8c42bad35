package dev.llmthrottle.call;

import java.util.concurrent.atomic.AtomicReference;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.Permit;
import org.jspecify.annotations.Nullable;

/**
 * One attempt's hold on its admission, closed exactly once with what happened to the
 * attempt, as Netflix concurrency-limits' {@code Listener} is: sent and settled (with the
 * usage, when known), refused by the provider (a request spent, no tokens), failed before
 * sending (nothing charged) or failed after sending (the estimate charged). Whichever
 * close comes first wins; later ones do nothing, so a completion racing a cancellation
 * cannot release twice. An attempt made under an admission held outside (an annotated
 * method) does not own that permit: closing reports the usage to it and leaves the
 * release to its owner.
 */
public final class Lease {

	/** How an attempt ended. */
	public enum Outcome {

		/**
		 * The call was sent and its cost settled (to the usage, when the response
		 * reported one).
		 */
		SETTLED,

		/**
		 * The provider refused the call (an error status): one request counts, no tokens.
		 */
		REFUSED,

		/** The call never left: nothing is charged. */
		NOT_SENT,

		/** The call failed after it may have left: the estimate is charged. */
		FAILED_AFTER_SEND

	}

	private final Permit own;

	private final Permit outer;

	private final AtomicReference<Outcome> outcome = new AtomicReference<>();

	private Lease(Permit own, Permit outer) {
		this.own = own;
		this.outer = outer;
	}

	/** A lease on a permit this attempt took and must release. */
	public static Lease owning(Permit permit) {
		return new Lease(permit, null);
	}

	/** A lease under a permit held outside, which its owner releases. */
	public static Lease under(Permit outer) {
		return new Lease(null, outer);
	}

	/** The permit the attempt runs under (its own, or the outer one). */
	public Permit permit() {
		return (this.own != null) ? this.own : this.outer;
	}

	/** Whether the attempt runs under a permit held outside. */
	public boolean isUnderOuter() {
		return this.own == null;
	}

	/** How the attempt ended, or {@code null} while it is open. */
	public @Nullable Outcome outcome() {
		return this.outcome.get();
	}

	/** Whether the lease is closed. */
	public boolean isClosed() {
		return this.outcome.get() != null;
	}

	/**
	 * Sent and settled to {@code actual} ({@code null}: the estimate, or what was
	 * reported to the permit).
	 */
	public boolean settled(Cost actual) {
		if (!close(Outcome.SETTLED)) {
			return false;
		}
		permit().reportOutcome(Permit.Outcome.SUCCEEDED);
		if (this.own != null) {
			this.own.release(actual);
		}
		else if (actual != null) {
			this.outer.reportActual(actual);
		}
		return true;
	}

	/** The provider refused the call: a request is spent, its tokens are not. */
	public boolean refused() {
		return refused(false);
	}

	/**
	 * The provider refused the call: a request is spent, its tokens are not.
	 * @param overload whether the refusal was for overload (a concurrency 429, 529, 503),
	 * which lowers an adaptive concurrency limit
	 */
	public boolean refused(boolean overload) {
		if (!close(Outcome.REFUSED)) {
			return false;
		}
		permit().reportOutcome(overload ? Permit.Outcome.OVERLOADED : Permit.Outcome.REFUSED);
		if (this.own != null) {
			this.own.release(Cost.oneRequest());
		}
		return true;
	}

	/** The call never left. */
	public boolean notSent() {
		if (!close(Outcome.NOT_SENT)) {
			return false;
		}
		if (this.own != null) {
			this.own.abandon();
		}
		return true;
	}

	/** The call failed after it may have left: the estimate stands. */
	public boolean failedAfterSend() {
		if (!close(Outcome.FAILED_AFTER_SEND)) {
			return false;
		}
		permit().reportOutcome(Permit.Outcome.FAILED);
		if (this.own != null) {
			this.own.release(null);
		}
		return true;
	}

	private boolean close(Outcome how) {
		return this.outcome.compareAndSet(null, how);
	}

}
