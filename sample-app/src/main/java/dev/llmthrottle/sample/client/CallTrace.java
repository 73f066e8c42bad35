package dev.llmthrottle.sample.client;

import java.util.ArrayList;
import java.util.List;

/**
 * What the wire saw of one logical call: every attempt that reached the HTTP connector,
 * with its status and timing. The caller puts a trace into the Reactor context under
 * {@link #CONTEXT_KEY}; {@link WireTap} fills it in, including the attempts the starter's
 * filter retries by itself.
 */
public final class CallTrace {

	/** Reactor context key of the trace of the call being made. */
	public static final String CONTEXT_KEY = CallTrace.class.getName();

	private final String id;

	private final Listener listener;

	private final List<Attempt> attempts = new ArrayList<>();

	/**
	 * @param id the call's id (the prompt id)
	 * @param listener told about each attempt as it starts and as its response arrives
	 */
	public CallTrace(String id, Listener listener) {
		this.id = id;
		this.listener = listener;
	}

	public String id() {
		return this.id;
	}

	/** A new attempt leaves now. */
	Attempt start() {
		Attempt attempt = new Attempt(System.nanoTime());
		synchronized (this.attempts) {
			this.attempts.add(attempt);
		}
		this.listener.attemptStarted(this, attempt);
		return attempt;
	}

	/** The attempts so far, oldest first. */
	public List<Attempt> attempts() {
		synchronized (this.attempts) {
			return List.copyOf(this.attempts);
		}
	}

	/** The last attempt, or {@code null} when none was sent. */
	public Attempt lastAttempt() {
		synchronized (this.attempts) {
			return this.attempts.isEmpty() ? null : this.attempts.get(this.attempts.size() - 1);
		}
	}

	/**
	 * One HTTP exchange. Times are {@link System#nanoTime()} values.
	 */
	public final class Attempt {

		private final long startedAt;

		private volatile int status;

		private volatile long respondedAt;

		private volatile long endedAt;

		Attempt(long startedAt) {
			this.startedAt = startedAt;
		}

		void responded(int status) {
			this.status = status;
			this.respondedAt = System.nanoTime();
			CallTrace.this.listener.attemptResponded(CallTrace.this, this);
		}

		void failed() {
			this.respondedAt = System.nanoTime();
			this.endedAt = this.respondedAt;
			CallTrace.this.listener.attemptResponded(CallTrace.this, this);
		}

		void ended() {
			if (this.endedAt == 0) {
				this.endedAt = System.nanoTime();
			}
		}

		/** When the request left. */
		public long startedAt() {
			return this.startedAt;
		}

		/** HTTP status, 0 when no response arrived (connection failed or reset). */
		public int status() {
			return this.status;
		}

		/** Whether a response or a transport failure ended this attempt. */
		public boolean isDone() {
			return this.respondedAt != 0;
		}

		/**
		 * Time from sending to the end of the response body (or its headers when the body
		 * was never read).
		 */
		public long latencyNanos() {
			long end = (this.endedAt != 0) ? this.endedAt : this.respondedAt;
			return (end != 0) ? end - this.startedAt : 0;
		}

	}

	/**
	 * Hears about attempts of every traced call, e.g. to count 429s while a batch runs.
	 */
	public interface Listener {

		/** An attempt was sent. */
		void attemptStarted(CallTrace trace, Attempt attempt);

		/** An attempt got its response status (or failed without one). */
		void attemptResponded(CallTrace trace, Attempt attempt);

	}

}
