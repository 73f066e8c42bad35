package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Limit;

/** The outcome of {@link Enforcer#tryAdmit}. */
public sealed interface Admission {

	/** The state of the limits right after the decision. */
	RateSnapshot snapshot();

	/**
	 * Admitted: every limit had room and has been charged.
	 *
	 * @param ticket handle for later charges, settlement and completion
	 * @param snapshot limits after the charge
	 */
	record Admitted(Ticket ticket, RateSnapshot snapshot) implements Admission {
	}

	/**
	 * Refused for now: {@code limit} needs the longest wait.
	 *
	 * @param limit the limit that blocks longest
	 * @param waitNanos time until the request would fit every limit (given no other
	 * traffic)
	 * @param snapshot limits at the decision
	 */
	record Throttled(Limit limit, long waitNanos, RateSnapshot snapshot) implements Admission {
	}

	/**
	 * Refused for good: the cost exceeds what {@code limit} can ever admit.
	 *
	 * @param limit the first limit that is too small
	 * @param requested the cost in that limit's dimension
	 * @param snapshot limits at the decision
	 */
	record TooLarge(Limit limit, long requested, RateSnapshot snapshot) implements Admission {
	}

	/**
	 * Refused: the concurrency cap is reached.
	 *
	 * @param maxConcurrent the cap
	 * @param waitNanos time until the first in-flight request is planned to complete
	 * @param snapshot limits at the decision
	 */
	record Saturated(int maxConcurrent, long waitNanos, RateSnapshot snapshot) implements Admission {
	}

}
