package dev.llmthrottle.core.admission;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.llmthrottle.core.Cost;
import org.jspecify.annotations.Nullable;

/**
 * The right to send one call. Whoever holds it must close it exactly once, whatever
 * happens: {@link #release(Cost)} when the call was sent (with the actual cost if the
 * response told it), {@link #abandon()} when it never left. Later calls do nothing and
 * return {@code false}, so a completion racing a cancellation cannot release twice.
 */
public final class Permit implements AutoCloseable {

	private static final VarHandle STATE;

	static {
		try {
			STATE = MethodHandles.lookup().findVarHandle(Permit.class, "state", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Partition partition;

	private final Cost cost;

	private final long admittedAt;

	private final Object grant;

	@SuppressWarnings("unused") // written through STATE
	private volatile int state;

	private volatile Cost reportedActual;

	private volatile @Nullable Outcome outcome;

	/**
	 * How the provider answered the call sent under a permit, for
	 * {@code max-concurrent: auto}: a success is a latency sample, an overload answer
	 * lowers the limit, the others teach it nothing.
	 */
	public enum Outcome {

		/** Answered and settled: the slot was held for one latency. */
		SUCCEEDED,

		/** Refused for a reason other than overload (a rate limit, a bad request). */
		REFUSED,

		/** Refused for overload: a concurrency 429, 529 or 503. */
		OVERLOADED,

		/** Failed after it may have left (a transport error, a cancellation). */
		FAILED

	}

	/** Calls of the partition in flight once this one was admitted, itself included. */
	private final int inFlightAtAdmission;

	Permit(Partition partition, Cost cost, long admittedAt, Object grant, int inFlightAtAdmission) {
		this.partition = partition;
		this.cost = cost;
		this.admittedAt = admittedAt;
		this.grant = grant;
		this.inFlightAtAdmission = inFlightAtAdmission;
	}

	/**
	 * Calls of the partition in flight once this one was admitted, itself included: what
	 * the provider saw when it arrived.
	 */
	int inFlightAtAdmission() {
		return this.inFlightAtAdmission;
	}

	/** What the partition's state took for this permit; handed back on release. */
	Object grant() {
		return this.grant;
	}

	/** The cost admitted (the estimate). */
	public Cost cost() {
		return this.cost;
	}

	/** The provider this permit belongs to. */
	public String provider() {
		return this.partition.provider();
	}

	/** The partition this permit belongs to (its hashed key). */
	public Partition partition() {
		return this.partition;
	}

	/** When it was admitted, in the time source's nanoseconds. */
	public long admittedAt() {
		return this.admittedAt;
	}

	/** Whether the permit has been released or abandoned. */
	public boolean isReleased() {
		return this.state != 0;
	}

	/**
	 * Records what the call really cost, for whoever releases the permit without knowing
	 * it: an HTTP filter reads the usage, the annotated method around it releases. A
	 * later {@code release(null)} settles to this.
	 */
	public void reportActual(Cost actual) {
		this.reportedActual = actual;
	}

	/**
	 * What {@link #reportActual} recorded, or {@code null} when nothing was reported (so
	 * that a layer with a weaker source of usage does not overwrite an HTTP adapter's).
	 */
	public @Nullable Cost reportedActual() {
		return this.reportedActual;
	}

	/**
	 * Records how the provider answered, before the permit is released (an adapter's
	 * lease does it). An overload answer is kept: a later outcome reported under the same
	 * permit (a retry under a permit held outside) does not hide it. A permit released
	 * with no outcome reported counts as {@link Outcome#SUCCEEDED}.
	 */
	public void reportOutcome(Outcome outcome) {
		if (this.outcome != Outcome.OVERLOADED) {
			this.outcome = outcome;
		}
	}

	/** The outcome reported, or {@code null}. */
	@Nullable Outcome outcome() {
		return this.outcome;
	}

	/**
	 * The call was sent: free the concurrency slot and settle the estimate to
	 * {@code actual}.
	 * @param actual what the call really cost, or {@code null} for what
	 * {@link #reportActual} recorded, else the estimate (failed calls count too)
	 * @return whether this call released the permit
	 */
	public boolean release(@Nullable Cost actual) {
		if (!STATE.compareAndSet(this, 0, 1)) {
			this.partition.noteRepeatedRelease();
			return false;
		}
		this.partition.release(this, (actual != null) ? actual : this.reportedActual, true);
		return true;
	}

	/**
	 * The call was never sent (cancelled before it left, or the caller gave up): free
	 * everything it took.
	 * @return whether this call released the permit
	 */
	public boolean abandon() {
		if (!STATE.compareAndSet(this, 0, 1)) {
			this.partition.noteRepeatedRelease();
			return false;
		}
		this.partition.release(this, Cost.NONE, false);
		return true;
	}

	/** Same as {@code release(null)}: the call was sent and its estimate stands. */
	@Override
	public void close() {
		if (!isReleased()) {
			release(null);
		}
	}

}
