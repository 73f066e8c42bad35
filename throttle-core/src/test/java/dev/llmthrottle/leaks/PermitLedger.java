package dev.llmthrottle.leaks;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.matcher.ElementMatchers;

import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.Permit;

/**
 * Every {@link Partition} a test creates or admits on, with how many permits it admitted,
 * released and abandoned while the test ran, counted from the outside: advice woven into
 * the constructors of {@code Partition} and {@code Permit} and into
 * {@link Permit#release} and {@link Permit#abandon} (counted only when they return
 * {@code true}, i.e. the call really closed the permit). So the ledger sees partitions
 * held in local variables, inside {@code ApplicationContextRunner} lambdas and in Spring
 * contexts alike, without any test handing them over, and its counts do not trust the
 * partition's own bookkeeping.
 *
 * <p>
 * Static state on purpose (test code only): the woven advice can only reach a static
 * entry point. Test classes run one after another in the surefire JVM, so "during the
 * test" is simply between {@link #reset(boolean)} calls.
 */
public final class PermitLedger {

	/**
	 * Strong references on purpose: a partition of a context closed before the verdict
	 * must still be judged.
	 */
	private static final Map<Partition, Counts> touched = Collections.synchronizedMap(new IdentityHashMap<>());

	private static volatile boolean installed;

	/**
	 * Off for exempt tests, so that they pay nothing (Lincheck would otherwise explore
	 * the ledger too).
	 */
	private static volatile boolean recording;

	private PermitLedger() {
	}

	/** Weaves the counting advice once per JVM. */
	static synchronized void install() {
		if (installed) {
			return;
		}
		Instrumentation instrumentation = ByteBuddyAgent.install();
		new AgentBuilder.Default().disableClassFormatChanges()
			.with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
			.with(AgentBuilder.TypeStrategy.Default.REDEFINE)
			.ignore(ElementMatchers.none())
			.type(ElementMatchers.named(Partition.class.getName()))
			.transform(new AgentBuilder.Transformer.ForAdvice().include(PermitLedger.class.getClassLoader())
				.advice(ElementMatchers.isConstructor(), PartitionCreated.class.getName()))
			.type(ElementMatchers.named(Permit.class.getName()))
			.transform(new AgentBuilder.Transformer.ForAdvice().include(PermitLedger.class.getClassLoader())
				.advice(ElementMatchers.isConstructor(), PermitAdmitted.class.getName())
				.advice(ElementMatchers.named("release").and(ElementMatchers.takesArguments(1)),
						PermitReleased.class.getName())
				.advice(ElementMatchers.named("abandon").and(ElementMatchers.takesArguments(0)),
						PermitAbandoned.class.getName()))
			.installOn(instrumentation);
		installed = true;
	}

	/** Forgets everything recorded so far: a new test starts, recorded or not. */
	static void reset(boolean record) {
		recording = record;
		touched.clear();
	}

	/**
	 * The partitions touched since the last {@link #reset(boolean)}, with their counts.
	 */
	static Map<Partition, Counts> touched() {
		synchronized (touched) {
			return Map.copyOf(touched);
		}
	}

	static List<Partition> partitions() {
		synchronized (touched) {
			return new ArrayList<>(touched.keySet());
		}
	}

	private static Counts counts(Partition partition) {
		synchronized (touched) {
			return touched.computeIfAbsent(partition, (p) -> new Counts());
		}
	}

	/**
	 * Called by the woven advice; public because the advice is inlined into the engine's
	 * classes.
	 */
	public static void created(Object partition) {
		if (recording) {
			counts((Partition) partition);
		}
	}

	/** Called by the woven advice. */
	public static void admitted(Object permit) {
		if (recording) {
			counts(((Permit) permit).partition()).admitted.incrementAndGet();
		}
	}

	/** Called by the woven advice. */
	public static void released(Object permit, boolean closed) {
		if (closed && recording) {
			counts(((Permit) permit).partition()).released.incrementAndGet();
		}
	}

	/** Called by the woven advice. */
	public static void abandoned(Object permit, boolean closed) {
		if (closed && recording) {
			counts(((Permit) permit).partition()).abandoned.incrementAndGet();
		}
	}

	/** Permits of one partition counted during the current test. */
	static final class Counts {

		final AtomicLong admitted = new AtomicLong();

		final AtomicLong released = new AtomicLong();

		final AtomicLong abandoned = new AtomicLong();

		boolean balanced() {
			return this.admitted.get() == this.released.get() + this.abandoned.get();
		}

		@Override
		public String toString() {
			return "admitted " + this.admitted + ", released " + this.released + ", abandoned " + this.abandoned;
		}

	}

	static final class PartitionCreated {

		@Advice.OnMethodExit
		static void exit(@Advice.This Object partition) {
			PermitLedger.created(partition);
		}

	}

	static final class PermitAdmitted {

		@Advice.OnMethodExit
		static void exit(@Advice.This Object permit) {
			PermitLedger.admitted(permit);
		}

	}

	static final class PermitReleased {

		@Advice.OnMethodExit(onThrowable = Throwable.class)
		static void exit(@Advice.This Object permit, @Advice.Return boolean closed) {
			PermitLedger.released(permit, closed);
		}

	}

	static final class PermitAbandoned {

		@Advice.OnMethodExit(onThrowable = Throwable.class)
		static void exit(@Advice.This Object permit, @Advice.Return boolean closed) {
			PermitLedger.abandoned(permit, closed);
		}

	}

}
