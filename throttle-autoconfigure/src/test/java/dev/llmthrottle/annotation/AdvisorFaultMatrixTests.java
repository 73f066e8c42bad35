package dev.llmthrottle.annotation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.autoconfigure.aop.AdmissionInterruptedException;
import dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.exchange.LlmProviderException;
import dev.llmthrottle.exchange.RetryAfterTooLongException;

import static dev.llmthrottle.annotation.RetryingServices.sdk;
import static dev.llmthrottle.annotation.RetryingServices.webClient;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault matrix of issue 12 through the {@code @LlmThrottled} proxy: the advisor's
 * four entry points (a blocking method, {@code Mono}, {@code Flux},
 * {@code CompletionStage}) x every failure point an annotated method can meet, on virtual
 * time. After each case nothing is in flight or queued, every admitted permit was closed
 * exactly once (admitted = released + abandoned), the caller saw the documented outcome,
 * and a next call on the same key is admitted at once (once a cooldown the provider asked
 * for, bounded by {@code max-retry-after}, has passed).
 */
class AdvisorFaultMatrixTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final Duration MAX_WAIT = Duration.ofSeconds(10);

	private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

	private static final Map<String, Object> RATE_LIMITED = Map.of("message", "Rate limit reached for requests", "type",
			"requests", "code", "rate_limit_exceeded");

	/** How the annotated method (or the path to it) fails. */
	enum Fault {

		/**
		 * The call's cost can never fit the tokens limit: refused before anything is
		 * sent.
		 */
		REQUEST_TOO_LARGE,
		/**
		 * A blocking caller already interrupted when it calls (not applicable to the
		 * others).
		 */
		INTERRUPTED_BEFORE_CALL,
		/** The method throws before anything is sent. */
		THROWS_BEFORE_SEND,
		/** The method throws an {@code Error}. */
		THROWS_ERROR,
		/**
		 * The method throws a checked exception (declared by the blocking method, sneaked
		 * by the others).
		 */
		THROWS_CHECKED,
		/** The method returns {@code null}. */
		RETURNS_NULL,
		/**
		 * The provider answered 400 (never retried): thrown, or returned as an error by
		 * the publisher/stage.
		 */
		ERROR_AFTER_SEND,
		/** Every attempt ends in a 503: retried, then passed on. */
		SERVER_ERROR_EVERY_ATTEMPT,
		/** A 429 asking for 99,999,999,999 s. */
		ABSURD_RETRY_AFTER,
		/** A 429 asking for 99,999,999,999,999 ms. */
		ABSURD_RETRY_AFTER_MS,
		/** A 429 asking to wait until the year 9999. */
		ABSURD_RETRY_DATE,
		/**
		 * A 429 asking for 30 s, longer than max-wait (10 s) but within max-retry-after
		 * (60 s).
		 */
		HINT_BEYOND_MAX_WAIT,
		/**
		 * A 429 with an unreadable hint on every attempt: backed off, retried, then
		 * passed on.
		 */
		GARBAGE_HINT,
		/** The 429's headers cannot be read (the feedback step throws). */
		FEEDBACK_THROWS,
		/** Every listener event throws; the call is rate limited once, then succeeds. */
		LISTENER_THROWS,
		/** Cancelled (interrupted, for a blocking caller) while waiting for admission. */
		CANCEL_WAITING,
		/** Cancelled while the call is out (not applicable to a blocking caller). */
		CANCEL_SENT,
		/**
		 * Cancelled (interrupted, for a blocking caller) while waiting to retry after a
		 * 429.
		 */
		CANCEL_WAITING_TO_RETRY,
		/** The wait for admission exceeds max-wait. */
		TIMEOUT,
		/** A stream cut after its first element (a {@code Flux} only). */
		STREAM_CUT,
		/**
		 * Cancelled after the first element of a stream that goes on (a {@code Flux}
		 * only).
		 */
		CANCEL_MID_STREAM

	}

	enum Entry {

		BLOCKING, MONO, FLUX, COMPLETION_STAGE

	}

	static Stream<Arguments> cases() {
		List<Arguments> cases = new ArrayList<>();
		for (Entry entry : Entry.values()) {
			for (Fault fault : Fault.values()) {
				if (fault == Fault.INTERRUPTED_BEFORE_CALL && entry != Entry.BLOCKING) {
					continue; // only a blocking caller has a thread to interrupt
				}
				if (fault == Fault.CANCEL_SENT && entry == Entry.BLOCKING) {
					continue; // a blocking caller out on the call is the method's own
								// thread
				}
				if ((fault == Fault.STREAM_CUT || fault == Fault.CANCEL_MID_STREAM) && entry != Entry.FLUX) {
					continue;
				}
				cases.add(Arguments.of(entry, fault));
			}
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0} x {1}")
	@MethodSource("cases")
	void everyExitClosesItsPermit(Entry entry, Fault fault) {
		runner().run((context) -> {
			MatrixService service = context.getBean(MatrixService.class);
			MatrixState state = context.getBean(MatrixState.class);
			Ledger ledger = context.getBean(Ledger.class);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition partition = context.getBean(LlmThrottlers.class).get("matrix").defaultPartition();
			state.fault.set(fault);
			context.getBean(ThrowingListener.class).throwing.set(fault == Fault.LISTENER_THROWS);
			Object outcome = new Case(entry, fault, service, state, partition, time).run();
			context.getBean(ThrowingListener.class).throwing.set(false);
			assertDocumented(entry, fault, outcome, state);
			await(() -> partition.snapshot().inFlight() == 0 && partition.snapshot().queued() == 0);
			PartitionSnapshot snapshot = partition.snapshot();
			assertThat(snapshot.inFlight()).as("in flight").isZero();
			assertThat(snapshot.queued()).as("queued").isZero();
			assertThat(snapshot.repeatedReleases()).as("repeated releases").isZero();
			if (fault != Fault.REQUEST_TOO_LARGE) {
				assertThat(ledger.admitted.get()).as("admissions seen by the ledger").isPositive();
			}
			assertThat(ledger.admitted.get()).as("admitted = released + abandoned")
				.isEqualTo(ledger.released.get() + ledger.abandoned.get());
			assertThat(partition.cooldownRemaining()).as("cooldown left behind").isLessThanOrEqualTo(MAX_RETRY_AFTER);
			time.advance(partition.cooldownRemaining());
			Permit next = partition.tryAcquire(Cost.oneRequest());
			assertThat(next).as("a next call on the key is admitted at once").isNotNull();
			next.release(null);
			state.fault.set(null);
			assertThat(service.blocking(1)).as("a next call through the proxy").isEqualTo("answer");
		});
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner().withConfiguration(ThrottleAutoConfigurations.all())
			.withConfiguration(AutoConfigurations.of(LlmThrottleExchangeAutoConfiguration.class))
			.withUserConfiguration(Config.class)
			.withPropertyValues("llm.throttle.providers.matrix.dialect=openai",
					"llm.throttle.providers.matrix.max-concurrent=1",
					"llm.throttle.providers.matrix.requests-per-minute=1000",
					"llm.throttle.providers.matrix.tokens-per-minute=100000",
					"llm.throttle.providers.matrix.default-output-tokens=100", "llm.throttle.providers.matrix.burst=1m",
					"llm.throttle.providers.matrix.max-wait=" + MAX_WAIT.toSeconds() + "s",
					"llm.throttle.providers.matrix.retry.max-attempts=2",
					"llm.throttle.providers.matrix.retry.max-retry-after=" + MAX_RETRY_AFTER.toSeconds() + "s");
	}

	/**
	 * Cancellation (an interrupt, for a blocking caller) racing the grant of admission,
	 * seeded: whichever wins, the permit is closed once and the caller gets the answer or
	 * the documented cancellation.
	 */
	@Test
	void cancellationRacingAdmission() {
		runner().run((context) -> {
			MatrixService service = context.getBean(MatrixService.class);
			MatrixState state = context.getBean(MatrixState.class);
			Ledger ledger = context.getBean(Ledger.class);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition partition = context.getBean(LlmThrottlers.class).get("matrix").defaultPartition();
			int[] invoked = new int[2];
			for (long seed = 0; seed < 150; seed++) {
				Random random = new Random(seed);
				Entry entry = Entry.values()[random.nextInt(Entry.values().length)];
				try {
					race(entry, random, service, state, partition, time, ledger);
					invoked[Math.min(state.invocations.get(), 1)]++;
				}
				catch (Throwable ex) {
					throw new AssertionError("seed " + seed + " (" + entry + "): " + ex, ex);
				}
			}
			// both sides of the race were taken
			assertThat(invoked[0]).as("cancelled before admission").isPositive();
			assertThat(invoked[1]).as("admitted before the cancellation").isPositive();
		});
	}

	private static void race(Entry entry, Random random, MatrixService service, MatrixState state, Partition partition,
			VirtualTimeSource time, Ledger ledger) throws Exception {
		state.invocations.set(0);
		Permit blocker = partition.acquire(Cost.oneRequest());
		Call call = new Case(entry, null, service, state, partition, time).start();
		await(() -> partition.snapshot().queued() == 1);
		long cancelAfter = random.nextInt(200_000);
		long releaseAfter = random.nextInt(200_000);
		Thread canceller = new Thread(() -> {
			spin(cancelAfter);
			call.cancel();
		}, "canceller");
		canceller.setDaemon(true);
		canceller.start();
		spin(releaseAfter);
		blocker.release(null);
		canceller.join(TIMEOUT.toMillis());
		Object outcome = call.outcome();
		Throwable error = (outcome instanceof Throwable thrown) ? unwrap(thrown) : null;
		if (error != null) {
			assertThat(entry).as("only a blocking caller fails when cancelled: " + error).isEqualTo(Entry.BLOCKING);
			assertThat(error).isInstanceOf(AdmissionInterruptedException.class);
			assertThat(state.invocations.get()).as("invocations").isZero();
		}
		else {
			assertThat(outcome).isIn("answer", "cancelled", List.of("a", "b"));
		}
		await(() -> partition.snapshot().inFlight() == 0 && partition.snapshot().queued() == 0);
		assertThat(partition.snapshot().repeatedReleases()).as("repeated releases").isZero();
		assertThat(ledger.admitted.get()).as("admitted = released + abandoned")
			.isEqualTo(ledger.released.get() + ledger.abandoned.get());
		Permit next = partition.tryAcquire(Cost.oneRequest());
		assertThat(next).as("a next call on the key is admitted at once").isNotNull();
		next.release(null);
	}

	private static void spin(long nanos) {
		long start = System.nanoTime();
		while (System.nanoTime() - start < nanos) {
			Thread.onSpinWait();
		}
	}

	private static void assertDocumented(Entry entry, Fault fault, Object outcome, MatrixState service) {
		Throwable error = (outcome instanceof Throwable thrown) ? unwrap(thrown) : null;
		switch (fault) {
			case THROWS_BEFORE_SEND -> {
				assertThat(error).isInstanceOf(IllegalStateException.class).hasMessage("before send");
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
			case REQUEST_TOO_LARGE -> {
				assertThat(error).isInstanceOf(RequestTooLargeException.class);
				assertThat(service.invocations.get()).as("invocations").isZero();
			}
			case INTERRUPTED_BEFORE_CALL -> {
				// admitted at once, nothing to wait for (Partition.acquire throws only
				// when interrupted while
				// waiting): the call goes ahead, and the interrupt is left for the
				// method's own I/O to see
				assertThat(outcome).isEqualTo("answer");
				assertThat(service.interruptedAfter.get()).as("interrupt status kept").isTrue();
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
			case THROWS_ERROR -> {
				assertThat(error).isInstanceOf(AssertionError.class).hasMessage("fatal");
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
			case THROWS_CHECKED -> {
				assertThat(error).isInstanceOf(IOException.class).hasMessage("checked");
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
			case RETURNS_NULL -> {
				assertThat(outcome).isEqualTo((entry == Entry.FLUX) ? List.of() : null);
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
			case ERROR_AFTER_SEND -> {
				// a never-retry refusal is reported as such, with the provider's
				// exception as its cause
				assertThat(error).isInstanceOf(LlmProviderException.class).hasMessageContaining("HTTP 400");
				assertThat(error.getCause()).isInstanceOf(WebClientResponseException.class);
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
			case SERVER_ERROR_EVERY_ATTEMPT -> {
				assertThat(error).isInstanceOf(WebClientResponseException.class);
				assertThat(((WebClientResponseException) error).getStatusCode().value()).isEqualTo(503);
				assertThat(service.invocations.get()).as("invocations").isEqualTo(2);
			}
			case ABSURD_RETRY_AFTER, ABSURD_RETRY_AFTER_MS, ABSURD_RETRY_DATE -> {
				assertThat(error).isInstanceOf(RetryAfterTooLongException.class);
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
			case HINT_BEYOND_MAX_WAIT -> {
				// the caller fails at once: waiting out the cooldown would take longer
				// than max-wait
				assertThat(error).isInstanceOf(MaxWaitExceededException.class).hasMessageContaining("cooldown");
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
			case GARBAGE_HINT -> {
				assertThat(error).isInstanceOf(com.openai.errors.OpenAIServiceException.class);
				assertThat(service.invocations.get()).as("invocations").isEqualTo(2);
			}
			case FEEDBACK_THROWS -> {
				assertThat(error).as("the method's own failure, passed on").isInstanceOf(UnreadableResponse.class);
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
			case LISTENER_THROWS -> {
				assertThat(outcome).isEqualTo((entry == Entry.FLUX) ? List.of("a", "b") : "answer");
				assertThat(service.invocations.get()).as("invocations").isEqualTo(2);
			}
			case CANCEL_WAITING, CANCEL_WAITING_TO_RETRY -> {
				if (entry == Entry.BLOCKING) {
					assertThat(error).isInstanceOf(AdmissionInterruptedException.class);
					assertThat(((Interrupted) outcome).flagKept).as("interrupt status kept").isTrue();
				}
				else {
					assertThat(outcome).isEqualTo("cancelled");
				}
				assertThat(service.invocations.get()).as("invocations")
					.isEqualTo((fault == Fault.CANCEL_WAITING) ? 0 : 1);
			}
			case CANCEL_MID_STREAM -> {
				assertThat(outcome).isEqualTo("cancelled");
				assertThat(service.invocations.get()).as("invocations").isOne();
				assertThat(service.cancelled.get()).as("the stream was cancelled").isTrue();
			}
			case CANCEL_SENT -> {
				assertThat(outcome).isEqualTo("cancelled");
				assertThat(service.invocations.get()).as("invocations").isOne();
				assertThat(service.cancelled.get()).as("the call out was cancelled").isTrue();
			}
			case TIMEOUT -> {
				assertThat(error).isInstanceOf(MaxWaitExceededException.class);
				assertThat(service.invocations.get()).as("invocations").isZero();
			}
			case STREAM_CUT -> {
				assertThat(error).isInstanceOf(IOException.class).hasMessage("stream cut");
				assertThat(service.items.get()).as("items before the cut").isOne();
				assertThat(service.invocations.get()).as("invocations").isOne();
			}
		}
	}

	private static Throwable unwrap(Throwable error) {
		Throwable current = (error instanceof Interrupted interrupted) ? interrupted.getCause() : error;
		while ((current instanceof CompletionException || current instanceof ExecutionException)
				&& current.getCause() != null) {
			current = current.getCause();
		}
		return current;
	}

	private static void await(BooleanSupplier condition) {
		Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(2)).until(condition::getAsBoolean);
	}

	/**
	 * One case: calls the entry point, drives the fault, and returns the caller's
	 * outcome.
	 */
	private record Case(Entry entry, Fault fault, MatrixService service, MatrixState state, Partition partition,
			VirtualTimeSource time) {

		Object run() throws Exception {
			boolean blocked = this.fault == Fault.CANCEL_WAITING || this.fault == Fault.TIMEOUT;
			Permit blocker = blocked ? this.partition.acquire(Cost.oneRequest()) : null;
			try {
				Call call = start();
				switch (this.fault) {
					case CANCEL_WAITING -> {
						await(() -> this.partition.snapshot().queued() == 1);
						call.cancel();
					}
					case CANCEL_MID_STREAM -> {
						await(() -> this.state.items.get() == 1);
						call.cancel();
					}
					case CANCEL_SENT -> {
						await(() -> this.state.invocations.get() == 1);
						call.cancel();
					}
					case CANCEL_WAITING_TO_RETRY -> {
						await(() -> this.state.invocations.get() == 1 && this.partition.snapshot().inFlight() == 0
								&& this.partition.snapshot().queued() == 1);
						call.cancel();
					}
					case TIMEOUT -> {
						await(() -> this.partition.snapshot().queued() == 1);
						this.time.advance(MAX_WAIT);
					}
					case LISTENER_THROWS, GARBAGE_HINT, SERVER_ERROR_EVERY_ATTEMPT -> {
						// a retry waits on virtual time (a cooldown or a backoff): let it
						// pass, a second at a time
						await(() -> this.state.invocations.get() == 1);
						for (int second = 0; second < MAX_RETRY_AFTER.toSeconds() && !call.done(); second++) {
							this.time.advance(Duration.ofSeconds(1));
							call.awaitDone(Duration.ofMillis(5));
						}
					}
					default -> {
					}
				}
				return call.outcome();
			}
			finally {
				if (blocker != null) {
					blocker.release(null);
				}
			}
		}

		Call start() {
			long tokens = (this.fault == Fault.REQUEST_TOO_LARGE) ? 1_000_000 : 1;
			return switch (this.entry) {
				case BLOCKING -> Call.blocking(() -> this.service.blocking(tokens),
						this.fault == Fault.INTERRUPTED_BEFORE_CALL, this.state.interruptedAfter);
				case MONO -> Call.publisher(this.service.mono(tokens));
				case FLUX -> Call.publisher(this.service.flux(tokens));
				case COMPLETION_STAGE -> Call.stage(this.service.async(tokens));
			};
		}

	}

	/**
	 * A call under way: its outcome (a value, a failure, or "cancelled") and how to
	 * cancel it.
	 */
	private static final class Call {

		private final CompletableFuture<Object> outcome = new CompletableFuture<>();

		private Runnable cancel;

		private final AtomicBoolean cancelled = new AtomicBoolean();

		static Call blocking(java.util.concurrent.Callable<Object> method, boolean interrupted,
				AtomicBoolean interruptedAfter) {
			Call call = new Call();
			Thread thread = new Thread(() -> {
				if (interrupted) {
					Thread.currentThread().interrupt();
				}
				try {
					Object value = method.call();
					interruptedAfter.set(Thread.currentThread().isInterrupted());
					call.outcome.complete(value);
				}
				catch (Throwable ex) {
					call.outcome.complete(new Interrupted(ex, Thread.currentThread().isInterrupted()));
				}
			}, "throttled-caller");
			thread.setDaemon(true);
			call.cancel = thread::interrupt;
			thread.start();
			return call;
		}

		static Call publisher(org.reactivestreams.Publisher<?> publisher) {
			Call call = new Call();
			List<Object> items = new ArrayList<>();
			boolean single = publisher instanceof Mono;
			Disposable subscription = Flux.from(publisher)
				.subscribe(items::add, call.outcome::complete,
						() -> call.outcome.complete(single ? (items.isEmpty() ? null : items.get(0)) : items));
			call.cancel = () -> {
				subscription.dispose();
				call.outcome.complete("cancelled");
			};
			return call;
		}

		static Call stage(CompletionStage<?> stage) {
			Call call = new Call();
			CompletableFuture<?> future = stage.toCompletableFuture();
			future.whenComplete((value, error) -> call.outcome.complete((error != null) ? error : value));
			call.cancel = () -> {
				call.outcome.complete("cancelled");
				future.cancel(true);
			};
			return call;
		}

		boolean done() {
			return this.outcome.isDone();
		}

		/** Waits (in real time) for the outcome, at most {@code timeout}. */
		void awaitDone(Duration timeout) throws InterruptedException {
			try {
				this.outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (ExecutionException | java.util.concurrent.TimeoutException ex) {
				// not done yet (the outcome itself never completes exceptionally)
			}
		}

		void cancel() {
			this.cancelled.set(true);
			this.cancel.run();
		}

		Object outcome() throws Exception {
			Object result = this.outcome.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (result instanceof Interrupted interrupted && !this.cancelled.get()) {
				return interrupted.getCause();
			}
			return result;
		}

	}

	/**
	 * What a blocking caller threw, and whether its thread was still marked interrupted.
	 */
	@SuppressWarnings("serial")
	private static final class Interrupted extends Exception {

		final boolean flagKept;

		Interrupted(Throwable cause, boolean flagKept) {
			super(cause);
			this.flagKept = flagKept;
		}

	}

	/** A 429 whose headers cannot be read. */
	@SuppressWarnings("serial")
	static final class UnreadableResponse extends WebClientResponseException {

		UnreadableResponse() {
			super(429, "Too Many Requests", new HttpHeaders(), "{}".getBytes(StandardCharsets.UTF_8),
					StandardCharsets.UTF_8);
		}

		@Override
		public HttpHeaders getHeaders() {
			throw new IllegalStateException("headers unreadable");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		VirtualTimeSource virtualTime() {
			return new VirtualTimeSource();
		}

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		ThrowingListener throwingListener() {
			return new ThrowingListener();
		}

		@Bean
		Ledger ledger() {
			return new Ledger();
		}

		@Bean
		MatrixState matrixState() {
			return new MatrixState();
		}

		@Bean
		MatrixService matrixService(MatrixState state) {
			return new MatrixService(state);
		}

	}

	/** Counts permits admitted, released after sending, and abandoned. */
	static class Ledger implements ThrottleListener {

		final AtomicLong admitted = new AtomicLong();

		final AtomicLong released = new AtomicLong();

		final AtomicLong abandoned = new AtomicLong();

		@Override
		public void admitted(String provider, String partition, Cost cost, long waitedNanos) {
			this.admitted.incrementAndGet();
		}

		@Override
		public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
			(sent ? this.released : this.abandoned).incrementAndGet();
		}

	}

	/** A listener that throws on every event while told to. */
	static class ThrowingListener implements ThrottleListener {

		final AtomicBoolean throwing = new AtomicBoolean();

		private void maybeThrow() {
			if (this.throwing.get()) {
				throw new IllegalStateException("listener broke");
			}
		}

		@Override
		public void admitted(String provider, String partition, Cost cost, long waitedNanos) {
			maybeThrow();
		}

		@Override
		public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
			maybeThrow();
		}

		@Override
		public void cooldown(String provider, String partition, Duration duration, String reason) {
			maybeThrow();
		}

		@Override
		public void rateLimited(String provider, String partition, String limitType, Duration hint) {
			maybeThrow();
		}

		@Override
		public void retried(String provider, String partition, int attempt, Duration backoff) {
			maybeThrow();
		}

	}

	/** The fault of the current case, and what the annotated methods saw of it. */
	static class MatrixState {

		final AtomicReference<Fault> fault = new AtomicReference<>();

		final AtomicInteger invocations = new AtomicInteger();

		final AtomicInteger items = new AtomicInteger();

		final AtomicBoolean cancelled = new AtomicBoolean();

		final AtomicBoolean interruptedAfter = new AtomicBoolean();

	}

	/**
	 * One method per entry point, failing as the current fault says (the proxy has no
	 * state of its own).
	 */
	public static class MatrixService {

		private final MatrixState state;

		public MatrixService(MatrixState state) {
			this.state = state;
		}

		/** The failure of this attempt, {@code null} when it succeeds. */
		private RuntimeException failure() {
			int attempt = this.state.invocations.incrementAndGet();
			Fault current = this.state.fault.get();
			if (current == null) {
				return null;
			}
			return switch (current) {
				case THROWS_BEFORE_SEND -> throw new IllegalStateException("before send");
				case THROWS_ERROR -> throw new AssertionError("fatal");
				case THROWS_CHECKED -> throw MatrixService.<RuntimeException>sneaky(new IOException("checked"));
				case ERROR_AFTER_SEND -> webClient(400, "{\"error\":{\"message\":\"bad request\"}}");
				case SERVER_ERROR_EVERY_ATTEMPT -> webClient(503, "{\"error\":{\"message\":\"overloaded\"}}");
				case HINT_BEYOND_MAX_WAIT -> sdk(429, RATE_LIMITED, "retry-after", "30");
				case ABSURD_RETRY_AFTER -> sdk(429, RATE_LIMITED, "retry-after", "99999999999");
				case ABSURD_RETRY_AFTER_MS -> sdk(429, RATE_LIMITED, "retry-after-ms", "99999999999999");
				case ABSURD_RETRY_DATE -> sdk(429, RATE_LIMITED, "retry-after", "Fri, 31 Dec 9999 23:59:59 GMT");
				case GARBAGE_HINT -> sdk(429, RATE_LIMITED, "retry-after", "soon\u0000-1e400");
				case FEEDBACK_THROWS -> new UnreadableResponse();
				case LISTENER_THROWS, CANCEL_WAITING_TO_RETRY ->
					(attempt == 1) ? sdk(429, RATE_LIMITED, "retry-after", "5") : null;
				default -> null;
			};
		}

		@SuppressWarnings("unchecked")
		private static <T extends Throwable> T sneaky(Throwable failure) throws T {
			throw (T) failure;
		}

		private boolean returnsNull() {
			return this.state.fault.get() == Fault.RETURNS_NULL;
		}

		@LlmThrottled(provider = "matrix", tokens = "#p0")
		public Object blocking(long tokens) throws IOException {
			RuntimeException failure = failure();
			if (failure != null) {
				throw failure;
			}
			return returnsNull() ? null : "answer";
		}

		@LlmThrottled(provider = "matrix", tokens = "#p0")
		public Mono<String> mono(long tokens) {
			RuntimeException failure = failure();
			if (failure != null) {
				return Mono.error(failure);
			}
			if (returnsNull()) {
				return null;
			}
			if (this.state.fault.get() == Fault.CANCEL_SENT) {
				return Mono.<String>never().doOnCancel(() -> this.state.cancelled.set(true));
			}
			return Mono.just("answer");
		}

		@LlmThrottled(provider = "matrix", tokens = "#p0")
		public Flux<String> flux(long tokens) {
			RuntimeException failure = failure();
			if (failure != null) {
				return Flux.error(failure);
			}
			if (returnsNull()) {
				return null;
			}
			if (this.state.fault.get() == Fault.CANCEL_MID_STREAM) {
				return Flux.concat(Flux.just("a"), Flux.<String>never())
					.doOnNext((item) -> this.state.items.incrementAndGet())
					.doOnCancel(() -> this.state.cancelled.set(true));
			}
			if (this.state.fault.get() == Fault.CANCEL_SENT) {
				return Flux.<String>never().doOnCancel(() -> this.state.cancelled.set(true));
			}
			if (this.state.fault.get() == Fault.STREAM_CUT) {
				return Flux.concat(Flux.just("a").doOnNext((item) -> this.state.items.incrementAndGet()),
						Flux.error(new IOException("stream cut")));
			}
			return Flux.just("a", "b");
		}

		@LlmThrottled(provider = "matrix", tokens = "#p0")
		public CompletableFuture<String> async(long tokens) {
			RuntimeException failure = failure();
			if (failure != null) {
				return CompletableFuture.failedFuture(failure);
			}
			if (returnsNull()) {
				return null;
			}
			if (this.state.fault.get() == Fault.CANCEL_SENT) {
				CompletableFuture<String> never = new CompletableFuture<>();
				never.whenComplete((value, error) -> this.state.cancelled.set(never.isCancelled()));
				return never;
			}
			return CompletableFuture.completedFuture("answer");
		}

	}

}
