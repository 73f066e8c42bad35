package dev.llmthrottle.core.redis;

/**
 * This JVM's estimate of Redis server time, from the server instants that script replies
 * carry. Used only to give each admission a deadline in server time, so that a command
 * Redis executes late (after a pause, from a socket buffer) takes nothing. The estimate
 * lags the true server time by up to one round trip, which makes deadlines slightly
 * early: safe.
 */
final class ServerClock {

	private volatile long offsetMicros;

	private volatile boolean known;

	/**
	 * Records that the server said {@code serverMicros} and the reply arrived at local
	 * {@code localNanos}.
	 */
	void observe(long serverMicros, long localNanos) {
		this.offsetMicros = serverMicros - localNanos / 1000;
		this.known = true;
	}

	/**
	 * The server time {@code timeoutNanos} after local {@code localNanos}, or 0 while
	 * unknown.
	 */
	long deadline(long localNanos, long timeoutNanos) {
		return this.known ? (localNanos + timeoutNanos) / 1000 + this.offsetMicros : 0;
	}

}
