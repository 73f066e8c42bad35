package dev.llmthrottle.autoconfigure.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import dev.llmthrottle.call.AsyncCall;
import dev.llmthrottle.call.BlockingCall;
import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.call.CallShape;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.Reply;
import dev.llmthrottle.call.UsageMeter;
import dev.llmthrottle.call.reactor.ReactorCall;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.exchange.RetryAfterTooLongException;
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.ProtocolHeaders;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault matrix of issue 12: every entry point of the call pipeline x every failure
 * point. After each case nothing is in flight or queued, every admitted permit was closed
 * exactly once (admitted = released + abandoned), the caller saw the documented outcome,
 * and a next call on the same key is admitted at once.
 */
class CallFaultMatrixTest {

	private static final String URL = "https://api.openai.test/v1/chat/completions";

	private static final String KEY = "sk-matrix-key";

	/** How the simulated provider (or the path to it) fails. */
	enum Fault {

		/** The cost can never fit a limit: refused before anything is sent. */
		BEFORE_SEND,
		/** Connection reset: a transport failure (one attempt allowed). */
		TRANSPORT,
		/** A filter further down the chain fails (OAuth2, load balancer). */
		DOWNSTREAM,
		/** The status line cannot be read. */
		STATUS_READ,
		/** A 503 whose body fails while it is read. */
		BODY_READ,
		/** A listener throws while the 429 is fed back. */
		FEEDBACK_THROWS,
		/** Cancelled while waiting in the admission queue. */
		CANCEL_WAITING,
		/** Cancelled while the call is out. */
		CANCEL_SENT,
		/**
		 * Cancelled as the response arrives: the transport cannot be stopped any more and
		 * still delivers a success, which nobody will read.
		 */
		CANCEL_AS_DELIVERED,
		/** Interrupted while waiting in the admission queue. */
		INTERRUPT_WAITING,
		/** The wait for admission exceeds max-wait. */
		TIMEOUT,
		/** A 429 asking to wait longer than the cap (an absurd hint). */
		ABSURD_HINT,
		/**
		 * A 429 with an unreadable hint, and no attempt left: the response is passed on.
		 */
		GARBAGE_HINT,
		/** A 2xx body of several MiB with its usage at the end. */
		HUGE_BODY,
		/** An event stream cut mid-way. */
		STREAM_CUT

	}

	enum Entry {

		PIPELINE_BLOCKING, PIPELINE_ASYNC, PIPELINE_MONO, PIPELINE_FLUX, WEBCLIENT, RESTCLIENT

	}

	static Stream<Arguments> cases() {
		List<Arguments> cases = new ArrayList<>();
		for (Entry entry : Entry.values()) {
			for (Fault fault : Fault.values()) {
				boolean blocking = entry == Entry.PIPELINE_BLOCKING || entry == Entry.RESTCLIENT;
				if (fault == Fault.INTERRUPT_WAITING && !blocking) {
					// nothing parks a thread: cancellation is the reactive and async
					// interrupt
					continue;
				}
				if ((fault == Fault.CANCEL_WAITING || fault == Fault.CANCEL_SENT) && blocking) {
					continue; // a blocking caller cancels by interrupting
				}
				if (fault == Fault.CANCEL_AS_DELIVERED && entry != Entry.PIPELINE_ASYNC
						&& entry != Entry.PIPELINE_MONO) {
					// needs a sender that outlives the cancellation: the pipeline's own
					// drivers
					continue;
				}
				cases.add(Arguments.of(entry, fault));
			}
		}
		return cases.stream();
	}

	private final AtomicLong admitted = new AtomicLong();

	private final AtomicLong released = new AtomicLong();

	private final AtomicLong abandoned = new AtomicLong();

	private final AtomicReference<Fault> fault = new AtomicReference<>();

	/** How many results the pipeline freed instead of handing them over. */
	private final AtomicLong discarded = new AtomicLong();

	/** Delivers the response of a transport that outlived the cancellation. */
	private final AtomicReference<Runnable> deliverLate = new AtomicReference<>();

	private final ThrottleListener listener = new ThrottleListener() {

		@Override
		public void admitted(String provider, String partition, Cost cost, long waitedNanos) {
			CallFaultMatrixTest.this.admitted.incrementAndGet();
		}

		@Override
		public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
			(sent ? CallFaultMatrixTest.this.released : CallFaultMatrixTest.this.abandoned).incrementAndGet();
		}

		@Override
		public void rateLimited(String provider, String partition, String limitType, Duration hint) {
			if (CallFaultMatrixTest.this.fault.get() == Fault.FEEDBACK_THROWS) {
				throw new IllegalStateException("listener broke");
			}
		}

	};

	private final SystemTimeSource time = new SystemTimeSource();

	private final ProviderThrottler throttler = new ProviderThrottler(
			new ThrottlePolicy("openai",
					List.of(Limit.perMinute(Dimension.REQUESTS, 60_000), Limit.perMinute(Dimension.TOKENS, 1_000_000)),
					1, Duration.ofMillis(300), 10, Duration.ofSeconds(1), 10),
			this.time, PartitionKeys.withRandomSecret(), this.listener);

	private final LlmProvider provider = new LlmProvider("openai", Dialect.OPENAI,
			List.of(URI.create("https://api.openai.test/v1")),
			new RetryPolicy(1, Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofSeconds(60), null), 100,
			this.throttler);

	private final ResponseFeedback feedback = new ResponseFeedback(Clock.systemUTC(), new Random(7), this.listener);

	private final CostEstimator costs = new CostEstimator(new JtokkitTokenCounter(), 1.2);

	private final CurrentAdmission current = new CurrentAdmission();

	private final LlmThrottleExchangeFilterFunction filter = new LlmThrottleExchangeFilterFunction(
			new LlmProviders(List.of(this.provider)), this.feedback, this.costs, this.time, this.current);

	private final LlmThrottleClientHttpRequestInterceptor interceptor = new LlmThrottleClientHttpRequestInterceptor(
			new LlmProviders(List.of(this.provider)), this.feedback, this.costs, this.current, this.time);

	private Partition partition() {
		return this.throttler.partition(KEY);
	}

	@ParameterizedTest(name = "{0} x {1}")
	@MethodSource("cases")
	void everyExitClosesItsPermit(Entry entry, Fault fault) throws Exception {
		this.fault.set(fault);
		Permit blocker = (fault == Fault.CANCEL_WAITING || fault == Fault.INTERRUPT_WAITING || fault == Fault.TIMEOUT)
				? partition().acquire(Cost.oneRequest()) : null;
		Object outcome;
		try {
			outcome = run(entry, fault, blocker);
		}
		finally {
			if (blocker != null) {
				blocker.release(null);
			}
		}
		assertDocumented(entry, fault, outcome);
		this.fault.set(null);
		PartitionSnapshot snapshot = partition().snapshot();
		assertThat(snapshot.inFlight()).as("in flight").isZero();
		assertThat(snapshot.queued()).as("queued").isZero();
		assertThat(snapshot.repeatedReleases()).as("repeated releases").isZero();
		assertThat(this.admitted.get()).as("admitted = released + abandoned")
			.isEqualTo(this.released.get() + this.abandoned.get());
		// a next call is admitted at once (after at most the 5 ms backoff a hint-less 429
		// cools the key down for)
		long before = System.nanoTime();
		Permit next = partition().acquire(Cost.oneRequest());
		assertThat(Duration.ofNanos(System.nanoTime() - before)).as("a next call on the key is admitted at once")
			.isLessThan(Duration.ofMillis(200));
		next.release(null);
	}

	private void assertDocumented(Entry entry, Fault fault, Object outcome) {
		Throwable error = (outcome instanceof Throwable thrown) ? unwrap(thrown) : null;
		switch (fault) {
			case BEFORE_SEND -> assertThat(error).isInstanceOf(RequestTooLargeException.class);
			case TRANSPORT -> assertThat(error).isInstanceOfAny(IOException.class, WebClientRequestException.class);
			case DOWNSTREAM ->
				assertThat(error).isInstanceOf(IllegalStateException.class).hasMessageContaining("downstream");
			case STATUS_READ -> assertThat(messages(error)).contains("status line");
			case BODY_READ -> assertThat(messages(error)).contains("body read failed");
			case FEEDBACK_THROWS -> assertThat(messages(error)).contains("listener broke");
			case CANCEL_WAITING, CANCEL_SENT -> assertThat(outcome).isEqualTo("cancelled");
			case CANCEL_AS_DELIVERED -> {
				assertThat(outcome).isEqualTo("cancelled");
				assertThat(this.discarded.get()).as("the late success is freed, since nobody reads it").isOne();
			}
			case INTERRUPT_WAITING -> assertThat(error).isInstanceOfAny(java.io.InterruptedIOException.class,
					dev.llmthrottle.autoconfigure.aop.AdmissionInterruptedException.class, InterruptedException.class);
			case TIMEOUT -> assertThat(error).isInstanceOf(MaxWaitExceededException.class);
			// the documented RetryAfterTooLongException, whose message no longer
			// overflows (the permit is released either way, asserted by the caller)
			case ABSURD_HINT -> assertThat(messages(error)).contains(RetryAfterTooLongException.class.getName())
				.doesNotContain(ArithmeticException.class.getName());
			case GARBAGE_HINT -> assertThat((error instanceof CannedFailure failed) ? failed.canned.status() : outcome)
				.as("the 429 is passed on")
				.isEqualTo(429);
			case HUGE_BODY -> assertThat(outcome).isEqualTo(200);
			case STREAM_CUT -> assertThat(messages(error)).contains("stream cut");
		}
	}

	private static String messages(Throwable error) {
		if (error == null) {
			return "no error";
		}
		StringBuilder all = new StringBuilder(String.valueOf(error));
		for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
			all.append(" / ").append(cause);
		}
		for (Throwable suppressed : error.getSuppressed()) {
			all.append(" / ").append(suppressed);
		}
		return all.toString();
	}

	private static Throwable unwrap(Throwable error) {
		Throwable current = error;
		while ((current instanceof ExecutionException || current instanceof java.util.concurrent.CompletionException
				|| current instanceof java.io.UncheckedIOException
				|| current.getClass().getName().equals("reactor.core.Exceptions$ReactiveException")
				|| (current instanceof RuntimeException && current.getClass() == RuntimeException.class))
				&& current.getCause() != null) {
			current = current.getCause();
		}
		return current;
	}

	// ---- the simulated provider, one answer per fault ----

	/**
	 * A provider's answer, independent of the client: status, headers, body (which may
	 * fail or be cut).
	 */
	/**
	 * A provider's answer, independent of the client: status, headers, body chunks and
	 * where the body fails. {@code metered} is the body as delivered by the pipeline
	 * (settling the permit as it is read).
	 */
	record Canned(int status, Map<String, String> headers, List<byte[]> chunks, RuntimeException cut,
			Flux<byte[]> metered) {

		Canned(int status, Map<String, String> headers, List<byte[]> chunks, RuntimeException cut) {
			this(status, headers, chunks, cut, null);
		}

		Flux<byte[]> body() {
			if (this.metered != null) {
				return this.metered;
			}
			Flux<byte[]> body = Flux.fromIterable(this.chunks);
			return (this.cut != null) ? body.concatWith(Flux.error(this.cut)) : body;
		}

		/** Reads the body on the calling thread (every body here is synchronous). */
		byte[] read() {
			java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
			AtomicReference<Throwable> failed = new AtomicReference<>();
			body().subscribe(out::writeBytes, failed::set);
			if (failed.get() instanceof RuntimeException failure) {
				throw failure;
			}
			return out.toByteArray();
		}

	}

	private static Canned canned(Fault fault) {
		String usage = ",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}";
		return switch (fault) {
			case BODY_READ -> new Canned(503, Map.of(), List.of(), new IllegalStateException("body read failed"));
			case FEEDBACK_THROWS -> new Canned(429, Map.of("retry-after", "1"), bytes("{}"), null);
			case ABSURD_HINT -> new Canned(429, Map.of("retry-after", "99999999999"), bytes("{}"), null);
			case GARBAGE_HINT -> new Canned(429,
					Map.of("retry-after", "soon-ish", "x-ratelimit-reset-requests", "-5zz"), bytes("{}"), null);
			case HUGE_BODY -> {
				List<byte[]> chunks = new ArrayList<>(bytes("{\"pad\":\""));
				for (int i = 0; i < 64; i++) {
					chunks.add("x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8));
				}
				chunks.addAll(bytes("\"" + usage));
				yield new Canned(200, Map.of("Content-Type", "application/json"), chunks, null);
			}
			case STREAM_CUT -> new Canned(200, Map.of("Content-Type", "text/event-stream"),
					bytes("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"),
					new IllegalStateException("stream cut"));
			default -> new Canned(200, Map.of("Content-Type", "application/json"), bytes("{\"ok\":1" + usage), null);
		};
	}

	private static List<byte[]> bytes(String text) {
		return List.of(text.getBytes(StandardCharsets.UTF_8));
	}

	private Cost cost(Fault fault) {
		return (fault == Fault.BEFORE_SEND) ? Cost.of(0, 5_000_000) : new Cost(1, 10, 10);
	}

	/** What the transport does for the fault, before there is any response. */
	private static RuntimeException sendFailure(Fault fault) {
		return switch (fault) {
			case DOWNSTREAM -> new IllegalStateException("downstream filter failed");
			default -> null;
		};
	}

	// ---- the entry points ----

	private Object run(Entry entry, Fault fault, Permit blocker) throws Exception {
		return switch (entry) {
			case PIPELINE_BLOCKING -> blocking(fault, () -> {
				try {
					return consume(BlockingCall.run(pipeline(fault), (lease) -> send(fault)));
				}
				catch (Exception | Error ex) {
					throw ex;
				}
				catch (Throwable ex) {
					throw new RuntimeException(ex);
				}
			});
			case RESTCLIENT -> blocking(fault, () -> {
				try (ClientHttpResponse response = this.interceptor.intercept(restRequest(), restBody(fault),
						(request, body) -> restExecute(fault))) {
					int status = response.getStatusCode().value();
					try (InputStream in = response.getBody()) {
						in.transferTo(java.io.OutputStream.nullOutputStream());
					}
					return status;
				}
			});
			case PIPELINE_ASYNC -> async(fault, () -> AsyncCall.run(pipeline(fault), (lease) -> {
				if (fault == Fault.CANCEL_AS_DELIVERED) {
					CompletableFuture<Canned> transport = unstoppable();
					this.deliverLate.set(() -> transport.complete(canned(fault)));
					return transport;
				}
				return CompletableFuture.supplyAsync(() -> sendUnchecked(fault),
						CompletableFuture.delayedExecutor(sendDelay(fault).toMillis(), TimeUnit.MILLISECONDS));
			}, ForkJoinPool.commonPool()));
			case PIPELINE_MONO -> reactive(fault, ReactorCall.mono(pipeline(fault), (lease) -> {
				if (fault == Fault.CANCEL_AS_DELIVERED) {
					return lateMono(fault);
				}
				return Mono.fromCallable(() -> send(fault)).delayElement(sendDelay(fault));
			}, Schedulers.parallel()).map(this::consume));
			case PIPELINE_FLUX -> reactive(fault,
					ReactorCall.flux(pipeline(fault),
							(lease) -> Mono.fromCallable(() -> send(fault))
								.delayElement(sendDelay(fault))
								.flatMapMany((canned) -> {
									if (fault == Fault.STATUS_READ) {
										return Flux
											.error(new IOException("connection reset while reading the status line"));
									}
									if (canned.status() >= 400) {
										// as an SDK's exception carries it
										return Flux.error(new CannedFailure(canned));
									}
									return canned.body().map((chunk) -> canned);
								}),
							Schedulers.parallel())
						.map(Canned::status)
						.last(200));
			case WEBCLIENT -> reactive(fault,
					this.filter.filter(webRequest(fault), (request) -> webExchange(fault))
						.flatMap((response) -> response.bodyToFlux(DataBuffer.class)
							.doOnNext(org.springframework.core.io.buffer.DataBufferUtils::release)
							.then(Mono.just(response.statusCode().value()))));
		};
	}

	/** A transport that cannot be stopped any more once it has sent. */
	private static CompletableFuture<Canned> unstoppable() {
		return new CompletableFuture<>() {

			@Override
			public boolean cancel(boolean mayInterruptIfRunning) {
				return false;
			}

		};
	}

	/**
	 * A response on its way that a cancellation does not stop (reactive streams allow a
	 * signal after cancel).
	 */
	private Mono<Canned> lateMono(Fault fault) {
		return Mono.fromDirect((subscriber) -> {
			this.deliverLate.set(() -> {
				subscriber.onNext(canned(fault));
				subscriber.onComplete();
			});
			subscriber.onSubscribe(new org.reactivestreams.Subscription() {

				@Override
				public void request(long n) {
				}

				@Override
				public void cancel() {
					// too late to stop
				}

			});
		});
	}

	private Duration sendDelay(Fault fault) {
		return (fault == Fault.CANCEL_SENT) ? Duration.ofSeconds(30) : Duration.ZERO;
	}

	private Object blocking(Fault fault, java.util.concurrent.Callable<Object> call) throws Exception {
		if (fault != Fault.INTERRUPT_WAITING) {
			try {
				return call.call();
			}
			catch (Throwable ex) {
				return ex;
			}
		}
		AtomicReference<Object> outcome = new AtomicReference<>();
		Thread caller = new Thread(() -> {
			try {
				outcome.set(call.call());
			}
			catch (Throwable ex) {
				outcome.set(Thread.currentThread().isInterrupted() ? ex : new AssertionError("flag lost", ex));
			}
		});
		caller.start();
		awaitQueued();
		caller.interrupt();
		caller.join(5000);
		return outcome.get();
	}

	private Object async(Fault fault, java.util.function.Supplier<CompletableFuture<Canned>> call) throws Exception {
		CompletableFuture<Canned> future = call.get();
		if (fault == Fault.CANCEL_WAITING || fault == Fault.CANCEL_SENT || fault == Fault.CANCEL_AS_DELIVERED) {
			if (fault == Fault.CANCEL_WAITING) {
				awaitQueued();
			}
			else {
				awaitInFlight();
			}
			future.cancel(false);
			deliverLate(fault);
			return "cancelled";
		}
		try {
			Canned canned = future.get(5, TimeUnit.SECONDS);
			try {
				return consume(canned);
			}
			catch (RuntimeException ex) {
				return ex;
			}
		}
		catch (ExecutionException ex) {
			return ex.getCause();
		}
	}

	private Object reactive(Fault fault, Mono<?> call) throws Exception {
		if (fault == Fault.CANCEL_WAITING || fault == Fault.CANCEL_SENT || fault == Fault.CANCEL_AS_DELIVERED) {
			reactor.core.Disposable subscription = call.subscribe((v) -> {
			}, (e) -> {
			});
			if (fault == Fault.CANCEL_WAITING) {
				awaitQueued();
			}
			else {
				awaitInFlight();
			}
			subscription.dispose();
			deliverLate(fault);
			return "cancelled";
		}
		try {
			return call.block(Duration.ofSeconds(5));
		}
		catch (Throwable ex) {
			return (ex.getClass() == RuntimeException.class && ex.getCause() != null) ? ex.getCause() : ex;
		}
	}

	private void deliverLate(Fault fault) {
		if (fault == Fault.CANCEL_AS_DELIVERED) {
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.deliverLate.get() != null);
			this.deliverLate.get().run();
		}
	}

	private void awaitQueued() {
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(1))
			.untilAsserted(() -> assertThat(partition().snapshot().queued()).as("the call waits").isEqualTo(1));
	}

	/**
	 * Waits up to 5 s for the call to be sent; a call that already ended is not an error
	 * here.
	 */
	private void awaitInFlight() {
		try {
			Awaitility.await()
				.atMost(Duration.ofSeconds(5))
				.pollInterval(Duration.ofMillis(1))
				.until(() -> partition().snapshot().inFlight() > 0);
		}
		catch (ConditionTimeoutException ex) {
			// as before: the step that follows judges the outcome
		}
	}

	// ---- the pipeline used directly ----

	private CallPipeline<Canned> pipeline(Fault fault) {
		return new CallPipeline<>(this.feedback, this.time, this.provider, partition(), cost(fault), null,
				new CannedShape(fault, this.discarded));
	}

	private Canned send(Fault fault) throws IOException {
		if (fault == Fault.TRANSPORT) {
			throw new IOException("connection reset");
		}
		RuntimeException failure = sendFailure(fault);
		if (failure != null) {
			throw failure;
		}
		return canned(fault);
	}

	private Canned sendUnchecked(Fault fault) {
		try {
			return send(fault);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private Object consume(Object result) {
		Canned canned = (Canned) result;
		if (canned.status() >= 400) {
			return canned.status();
		}
		canned.read();
		return canned.status();
	}

	/**
	 * The simulated provider's answers read by the pipeline, with the usage settled from
	 * the body.
	 */
	private static final class CannedShape implements CallShape<Canned> {

		private final Fault fault;

		private final AtomicLong discarded;

		CannedShape(Fault fault, AtomicLong discarded) {
			this.fault = fault;
			this.discarded = discarded;
		}

		@Override
		public void discard(Canned canned) {
			this.discarded.incrementAndGet();
		}

		@Override
		public Reply reply(Canned canned) {
			if (this.fault == Fault.STATUS_READ) {
				throw new java.io.UncheckedIOException(
						new IOException("connection reset while reading the status line"));
			}
			ProtocolHeaders headers = ProtocolHeaders.of(headerMap(canned.headers()));
			return (canned.status() < 400) ? new Reply(canned.status(), headers, "")
					: new Reply(canned.status(), headers, new String(canned.read(), StandardCharsets.UTF_8));
		}

		@Override
		public Failure failure(Throwable error) {
			if (error instanceof CannedFailure failed) {
				return Failure.response(reply(failed.canned));
			}
			Throwable cause = (error instanceof java.io.UncheckedIOException unchecked) ? unchecked.getCause() : error;
			return (cause instanceof IOException) ? Failure.TRANSPORT : Failure.OTHER;
		}

		@Override
		public Canned deliver(Canned canned, Lease lease) {
			boolean stream = "text/event-stream".equals(canned.headers().get("Content-Type"));
			UsageMeter meter = stream ? UsageMeter.eventStream(Dialect.OPENAI) : UsageMeter.json(Dialect.OPENAI);
			return new Canned(canned.status(), canned.headers(), canned.chunks(), canned.cut(),
					canned.body()
						.doOnNext((chunk) -> meter.feed(chunk, 0, chunk.length))
						.doOnComplete(() -> lease.settled(meter.finish(true).orElse(null)))
						.doOnError((error) -> lease.settled(meter.finish(false).orElse(null)))
						.doOnCancel(() -> lease.settled(null)));
		}

		@Override
		public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
			return ex;
		}

	}

	/** A failure carrying the provider's answer, as an SDK's exception does. */
	static final class CannedFailure extends RuntimeException {

		private static final long serialVersionUID = 1L;

		private final transient Canned canned;

		CannedFailure(Canned canned) {
			super("HTTP " + canned.status());
			this.canned = canned;
		}

	}

	private static Map<String, List<String>> headerMap(Map<String, String> headers) {
		Map<String, List<String>> map = new LinkedHashMap<>();
		headers.forEach((name, value) -> map.put(name, List.of(value)));
		return map;
	}

	// ---- WebClient ----

	private ClientRequest webRequest(Fault fault) {
		return ClientRequest.create(HttpMethod.POST, URI.create(URL))
			.header("Authorization", "Bearer " + KEY)
			.attribute(LlmThrottleAttributes.COST, cost(fault))
			.build();
	}

	private Mono<ClientResponse> webExchange(Fault fault) {
		if (fault == Fault.TRANSPORT) {
			return Mono.error(new WebClientRequestException(new IOException("connection reset"), HttpMethod.POST,
					URI.create(URL), new HttpHeaders()));
		}
		RuntimeException failure = sendFailure(fault);
		if (failure != null) {
			return Mono.error(failure);
		}
		if (fault == Fault.STATUS_READ) {
			return Mono.error(new IllegalStateException("connection reset while reading the status line"));
		}
		Canned canned = canned(fault);
		ClientResponse.Builder builder = ClientResponse.create(HttpStatusCode.valueOf(canned.status()));
		canned.headers().forEach(builder::header);
		Mono<ClientResponse> response = Mono.just(builder
			.body(canned.body().map((chunk) -> (DataBuffer) DefaultDataBufferFactory.sharedInstance.wrap(chunk)))
			.build());
		return response.delayElement(sendDelay(fault));
	}

	// ---- RestClient ----

	private byte[] restBody(Fault fault) {
		return (fault == Fault.BEFORE_SEND) ? "{\"max_tokens\":50000000}".getBytes(StandardCharsets.UTF_8)
				: new byte[0];
	}

	private ClientHttpResponse restExecute(Fault fault) throws IOException {
		if (fault == Fault.TRANSPORT) {
			throw new IOException("connection reset");
		}
		RuntimeException failure = sendFailure(fault);
		if (failure != null) {
			throw failure;
		}
		Canned canned = canned(fault);
		return new CannedResponse(canned, fault == Fault.STATUS_READ);
	}

	private static HttpRequest restRequest() {
		HttpHeaders headers = new HttpHeaders();
		headers.set("Authorization", "Bearer " + KEY);
		return new HttpRequest() {

			@Override
			public HttpMethod getMethod() {
				return HttpMethod.POST;
			}

			@Override
			public URI getURI() {
				return URI.create(URL);
			}

			@Override
			public Map<String, Object> getAttributes() {
				return new java.util.HashMap<>();
			}

			@Override
			public HttpHeaders getHeaders() {
				return headers;
			}

		};
	}

	/**
	 * A canned answer as a RestClient response; its body fails or is cut where the fault
	 * says.
	 */
	private static final class CannedResponse implements ClientHttpResponse {

		private final Canned canned;

		private final boolean statusFails;

		CannedResponse(Canned canned, boolean statusFails) {
			this.canned = canned;
			this.statusFails = statusFails;
		}

		@Override
		public HttpStatusCode getStatusCode() throws IOException {
			if (this.statusFails) {
				throw new IOException("connection reset while reading the status line");
			}
			return HttpStatusCode.valueOf(this.canned.status());
		}

		@Override
		public String getStatusText() {
			return HttpStatus.valueOf(this.canned.status()).getReasonPhrase();
		}

		@Override
		public HttpHeaders getHeaders() {
			HttpHeaders headers = new HttpHeaders();
			this.canned.headers().forEach(headers::set);
			return headers;
		}

		@Override
		public InputStream getBody() throws IOException {
			try {
				return new ByteArrayInputStream(this.canned.read());
			}
			catch (RuntimeException ex) {
				throw new IOException(ex.getMessage(), ex);
			}
		}

		@Override
		public void close() {
		}

	}

}
