package dev.llmthrottle.core.admission;

/**
 * Which permit the current thread is running under, so that an HTTP filter called inside an annotated method does
 * not admit the same call twice (design: "two entry points, one admission"). Reactive code carries the permit in
 * the Reactor context instead, under {@link #CONTEXT_KEY}. One instance is shared by the advisor and the filters;
 * the thread-local lives in the instance, not in static state.
 */
public final class CurrentAdmission {

	/** Key under which reactive callers put the {@link Permit} into the Reactor context. */
	public static final String CONTEXT_KEY = CurrentAdmission.class.getName() + ".permit";

	// One small holder per thread, created once and never removed: a plain ThreadLocal<Permit> would insert an entry
	// on every get() of a thread that has none and remove it on every scope exit (measurable on the proxy path).
	private final ThreadLocal<Permit[]> current = ThreadLocal.withInitial(() -> new Permit[1]);

	/** The permit the calling thread runs under, or {@code null}. */
	public Permit get() {
		return this.current.get()[0];
	}

	/**
	 * Marks the calling thread as running under {@code permit} until the returned scope is closed (which restores
	 * what was there before).
	 */
	public Scope enter(Permit permit) {
		Permit[] holder = this.current.get();
		Permit previous = holder[0];
		holder[0] = permit;
		return () -> holder[0] = previous;
	}

	/** Restores the previous state when closed. */
	@FunctionalInterface
	public interface Scope extends AutoCloseable {

		@Override
		void close();

	}

}
