package dev.llmthrottle.test.engine;

/**
 * One charge recorded by a meter or the ledger: when, how much (adjusted in place when
 * settled) and, for window meters, which window. Mutable; guarded by the
 * {@link Enforcer}'s lock.
 */
final class Charge {

	final long time;

	final long window;

	long amount;

	/**
	 * A second charge to adjust together with this one (the quantized meter's reporting
	 * window).
	 */
	Charge linked;

	Charge(long time, long amount, long window) {
		this.time = time;
		this.amount = amount;
		this.window = window;
	}

}
