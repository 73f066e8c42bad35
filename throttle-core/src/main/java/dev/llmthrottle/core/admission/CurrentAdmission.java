package dev.llmthrottle.core.admission;

import org.jspecify.annotations.Nullable;

/**
 * Which permit the current thread is running under, so that an HTTP filter called inside
 * an annotated method does not admit the same call twice (design: "two entry points, one
 * admission"). Reactive code carries the permit in the Reactor context instead, under
 * {@link #CONTEXT_KEY}. One instance is shared by the advisor and the filters; the
 * thread-local lives in the instance, not in static state.
 */
public final class CurrentAdmission {

	/**
	 * Key under which reactive callers put the {@link Permit} into the Reactor context.
	 */
	public static final String CONTEXT_KEY = CurrentAdmission.class.getName() + ".permit";

	// One small holder per thread, created once and never removed: a plain
	// ThreadLocal<Permit> would insert an entry
	// on every get() of a thread that has none and remove it on every scope exit
	// (measurable on the proxy path).
	// It holds the innermost frame; frames link outwards, so nested admissions of several
	// partitions are all found.
	private final ThreadLocal<Frame[]> current = ThreadLocal.withInitial(() -> new Frame[1]);

	/** The innermost permit the calling thread runs under, or {@code null}. */
	public Permit get() {
		Frame top = this.current.get()[0];
		return (top != null) ? top.permit : null;
	}

	/**
	 * The unreleased permit of {@code partition} the calling thread runs under (at any
	 * depth), or {@code null}: an inner call is admitted under an outer one only when
	 * both are for the same partition, never by provider name.
	 */
	public @Nullable Permit find(Partition partition) {
		for (Frame frame = this.current.get()[0]; frame != null; frame = frame.outer) {
			if (frame.permit.partition() == partition && !frame.permit.isReleased()) {
				return frame.permit;
			}
		}
		return null;
	}

	/**
	 * Marks the calling thread as running under {@code permit} until the returned scope
	 * is closed (which restores what was there before).
	 */
	public Scope enter(Permit permit) {
		Frame[] holder = this.current.get();
		Frame previous = holder[0];
		holder[0] = new Frame(permit, previous);
		return () -> holder[0] = previous;
	}

	/**
	 * {@code candidate} when it is an unreleased permit of {@code partition}, else
	 * {@code null}.
	 */
	public static Permit ofPartition(Object candidate, Partition partition) {
		return (candidate instanceof Permit permit && permit.partition() == partition && !permit.isReleased()) ? permit
				: null;
	}

	private record Frame(Permit permit, Frame outer) {
	}

	/** Restores the previous state when closed. */
	@FunctionalInterface
	public interface Scope extends AutoCloseable {

		@Override
		void close();

	}

}
