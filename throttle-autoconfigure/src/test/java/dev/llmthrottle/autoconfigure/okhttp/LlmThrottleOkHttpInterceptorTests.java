package dev.llmthrottle.autoconfigure.okhttp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.MaxWaitExceededException;
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
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OkHttp interceptor over a scripted "server" (an interceptor after ours that answers
 * without a network): what the caller gets and what the partition holds on every path,
 * success (JSON, stream, read, unread, closed early), failure (429 retried, given up and
 * marked for the SDK, transport error, error mid-stream), interrupt, an outer admission,
 * and the dispatcher thread of an enqueued call (a bounded wait, a refusal answered as a
 * response, a cancelled waiter never sent). The no-leaked-permit check runs after each.
 */
class LlmThrottleOkHttpInterceptorTests {

	private static final String URL = "https://api.openai.test/v1/chat/completions";

	private static final MediaType JSON = MediaType.get("application/json");

	private static final String BODY = "{\"model\":\"gpt-4o\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

	private static final String USAGE_JSON = "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";

	private final SystemTimeSource time = new SystemTimeSource();

	private final ProviderThrottler throttler = new ProviderThrottler(
			new ThrottlePolicy("openai",
					List.of(Limit.perMinute(Dimension.REQUESTS, 60_000), Limit.perMinute(Dimension.TOKENS, 10_000_000)),
					1, Duration.ofMillis(300), 100, Duration.ofSeconds(1), 10),
			this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);

	private final LlmProviders providers = new LlmProviders(
			List.of(new LlmProvider("openai", Dialect.OPENAI, List.of(URI.create("https://api.openai.test/v1")),
					new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(5), null), 100,
					this.throttler)));

	private final CurrentAdmission currentAdmission = new CurrentAdmission();

	private final LlmThrottleOkHttpInterceptor interceptor = new LlmThrottleOkHttpInterceptor(this.providers,
			new ResponseFeedback(Clock.systemUTC(), new Random(1), ThrottleListener.NONE),
			new CostEstimator(new JtokkitTokenCounter(), 1.2), this.currentAdmission, this.time);

	/** What the scripted server answers, one entry per attempt (the last repeats). */
	private final Deque<Answer> script = new ArrayDeque<>();

	private final List<Request> sent = new CopyOnWriteArrayList<>();

	private final OkHttpClient client = new OkHttpClient.Builder().addInterceptor(this.interceptor)
		.addInterceptor(this::serve)
		.build();

	@AfterEach
	void close() {
		this.client.dispatcher().executorService().shutdown();
		this.time.close();
	}

	private Response serve(Interceptor.Chain chain) throws IOException {
		this.sent.add(chain.request());
		Answer next = (this.script.size() > 1) ? this.script.poll() : this.script.peek();
		return next.get().request(chain.request()).protocol(Protocol.HTTP_1_1).message("scripted").build();
	}

	private static Answer status(int code, String body, String... headers) {
		return () -> {
			Response.Builder builder = new Response.Builder().code(code).body(ResponseBody.create(body, JSON));
			for (int i = 0; i < headers.length; i += 2) {
				builder.header(headers[i], headers[i + 1]);
			}
			return builder;
		};
	}

	private static Request.Builder request(String url) {
		return new Request.Builder().url(url)
			.header("Authorization", "Bearer sk-test")
			.post(RequestBody.create(BODY, JSON));
	}

	private Partition partition() {
		return this.throttler.partition("sk-test");
	}

	private long tokensUsed() {
		return partition().snapshot().limits().get(1).used();
	}

	@Test
	void aUrlNoProviderCoversPassesThroughUntouched() throws IOException {
		this.script.add(status(200, USAGE_JSON));
		try (Response response = this.client.newCall(request("https://example.test/v1/chat/completions").build())
			.execute()) {
			assertThat(response.body().string()).isEqualTo(USAGE_JSON);
		}
		assertThat(partition().snapshot().limits().get(0).used()).isZero();
	}

	@Test
	void aJsonBodySettlesFromItsUsageWhenRead() throws IOException {
		this.script.add(status(200, USAGE_JSON));
		try (Response response = this.client.newCall(request(URL).build()).execute()) {
			assertThat(partition().snapshot().inFlight()).isEqualTo(1);
			assertThat(response.body().string()).isEqualTo(USAGE_JSON);
		}
		assertThat(tokensUsed()).isEqualTo(18);
		assertThat(partition().snapshot().inFlight()).isZero();
	}

	@Test
	void aBodyClosedUnreadStillSettlesFromItsUsage() throws IOException {
		this.script.add(status(200, USAGE_JSON));
		this.client.newCall(request(URL).build()).execute().close();
		assertThat(tokensUsed()).isEqualTo(18);
		assertThat(partition().snapshot().inFlight()).isZero();
	}

	@Test
	void anEventStreamSettlesFromItsFinalUsageEvent() throws IOException {
		String stream = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
				+ "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
				+ "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5,\"total_tokens\":25}}\n\n"
				+ "data: [DONE]\n\n";
		this.script.add(() -> new Response.Builder().code(200)
			.body(ResponseBody.create(stream, MediaType.get("text/event-stream; charset=utf-8"))));
		try (Response response = this.client.newCall(request(URL).build()).execute()) {
			BufferedSource source = response.body().source();
			assertThat(source.readUtf8Line()).contains("Hel");
			assertThat(source.readUtf8()).endsWith("[DONE]\n\n");
		}
		assertThat(tokensUsed()).isEqualTo(25);
	}

	@Test
	void aStreamClosedEarlyReleasesItsPermit() throws IOException {
		String event = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n";
		this.script.add(() -> new Response.Builder().code(200)
			.body(ResponseBody.create(event.repeat(100_000), MediaType.get("text/event-stream"))));
		Response response = this.client.newCall(request(URL).build()).execute();
		assertThat(response.body().source().readUtf8Line()).contains("\"x\"");
		assertThat(partition().snapshot().inFlight()).isEqualTo(1);
		response.close();
		assertThat(partition().snapshot().inFlight()).isZero();
	}

	@Test
	void anErrorMidStreamReleasesItsPermitAndReachesTheCaller() throws IOException {
		Buffer head = new Buffer().writeUtf8("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n");
		ForwardingSource failing = new ForwardingSource(head) {

			@Override
			public long read(Buffer sink, long byteCount) throws IOException {
				long n = super.read(sink, byteCount);
				if (n < 0) {
					throw new IOException("connection reset");
				}
				return n;
			}

		};
		this.script.add(() -> new Response.Builder().code(200)
			.body(ResponseBody.create(Okio.buffer(failing), MediaType.get("text/event-stream"), -1)));
		Response response = this.client.newCall(request(URL).build()).execute();
		assertThatThrownBy(() -> response.body().string()).hasMessage("connection reset");
		assertThat(partition().snapshot().inFlight()).isZero();
		response.close();
	}

	@Test
	void aRateLimitIsRetriedHereAndTheSuccessDelivered() throws IOException {
		this.script.add(status(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}",
				"retry-after-ms", "20"));
		this.script.add(status(200, USAGE_JSON));
		try (Response response = this.client.newCall(request(URL).build()).execute()) {
			assertThat(response.code()).isEqualTo(200);
			assertThat(response.header(OkHttpShape.SHOULD_RETRY_HEADER)).isNull();
			response.body().string();
		}
		assertThat(this.sent).hasSize(2);
	}

	@Test
	void whatThePipelineGivesUpOnIsMarkedSoTheSdkDoesNotRetryIt() throws IOException {
		this.script.add(status(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}",
				"retry-after-ms", "10"));
		try (Response response = this.client.newCall(request(URL).build()).execute()) {
			assertThat(response.code()).isEqualTo(429);
			assertThat(response.header("X-Should-Retry")).isEqualTo("false");
			assertThat(response.header("X-Llm-Throttle-Attempts")).isEqualTo("3");
			assertThat(response.body().string()).contains("Rate limit reached");
		}
		assertThat(this.sent).hasSize(3);
	}

	@Test
	void aTransportFailureIsRetriedHereUnlessAnSdkAboveRetriesIt() {
		this.script.add(() -> {
			throw new IOException("connection reset by peer");
		});
		assertThatThrownBy(() -> this.client.newCall(request(URL).build()).execute()).isInstanceOf(IOException.class);
		assertThat(this.sent).hasSize(3);
		this.sent.clear();
		assertThatThrownBy(
				() -> this.client.newCall(request(URL).header("X-Stainless-Retry-Count", "0").build()).execute())
			.isInstanceOf(IOException.class);
		assertThat(this.sent).hasSize(1);
	}

	@Test
	void anInterruptWhileWaitingForAdmissionEndsInInterruptedIOException() throws Exception {
		this.script.add(status(200, USAGE_JSON));
		// holds the only slot
		Response holding = this.client.newCall(request(URL).build()).execute();
		CompletableFuture<Throwable> outcome = new CompletableFuture<>();
		Thread waiter = new Thread(() -> {
			try {
				this.client.newCall(request(URL).build()).execute().close();
				outcome.complete(null);
			}
			catch (Throwable ex) {
				outcome.complete(
						new IllegalStateException(ex + " interrupted=" + Thread.currentThread().isInterrupted(), ex));
			}
		});
		waiter.start();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partition().snapshot().queued() == 1);
		waiter.interrupt();
		Throwable failure = outcome.get(5, TimeUnit.SECONDS);
		assertThat(failure).hasCauseInstanceOf(InterruptedIOException.class).hasMessageContaining("interrupted=true");
		holding.close();
		assertThat(this.sent).hasSize(1);
	}

	@Test
	void underAnOuterAdmissionOfItsPartitionTheCallIsNotAdmittedAgainAndReportsItsUsage() throws Exception {
		this.script.add(status(200, USAGE_JSON));
		Permit outer = partition().acquire(Cost.of(100, 50));
		try (CurrentAdmission.Scope scope = this.currentAdmission.enter(outer)) {
			try (Response response = this.client.newCall(request(URL).build()).execute()) {
				response.body().string();
			}
			assertThat(partition().snapshot().inFlight()).isEqualTo(1);
		}
		finally {
			outer.release(null);
		}
		assertThat(tokensUsed()).isEqualTo(18);
	}

	@Test
	void anEnqueuedCallWaitsOnTheDispatcherForABoundedTimeThenIsSent() throws Exception {
		this.script.add(status(200, USAGE_JSON));
		Response holding = this.client.newCall(request(URL).build()).execute();
		CompletableFuture<Response> async = enqueue(request(URL).build());
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partition().snapshot().queued() == 1);
		holding.close();
		try (Response response = async.get(5, TimeUnit.SECONDS)) {
			assertThat(response.code()).isEqualTo(200);
			response.body().string();
		}
		assertThat(this.sent).hasSize(2);
	}

	@Test
	void aRefusalOnTheDispatcherIsAnsweredAsAResponseTheSdkDoesNotRetry() throws Exception {
		this.script.add(status(200, USAGE_JSON));
		Response holding = this.client.newCall(request(URL).build()).execute();
		AtomicInteger uncaught = new AtomicInteger();
		Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
		Thread.setDefaultUncaughtExceptionHandler((thread, ex) -> uncaught.incrementAndGet());
		try {
			try (Response response = enqueue(request(URL).build()).get(5, TimeUnit.SECONDS)) {
				assertThat(response.code()).isEqualTo(429);
				assertThat(response.header("X-Should-Retry")).isEqualTo("false");
				assertThat(response.header(Refusals.REFUSED_HEADER))
					.isEqualTo(MaxWaitExceededException.class.getSimpleName());
				assertThat(response.body().string()).contains("llm_throttle_refused").doesNotContain("sk-test");
			}
		}
		finally {
			holding.close();
			Thread.setDefaultUncaughtExceptionHandler(previous);
		}
		assertThat(uncaught).hasValue(0);
		assertThat(this.sent).hasSize(1);
	}

	@Test
	void onTheCallersThreadARefusalIsThrownAsItIs() throws IOException {
		this.script.add(status(200, USAGE_JSON));
		try (Response holding = this.client.newCall(request(URL).build()).execute()) {
			assertThatThrownBy(() -> this.client.newCall(request(URL).build()).execute())
				.isInstanceOf(MaxWaitExceededException.class);
		}
	}

	@Test
	void aCallCancelledWhileWaitingIsNeverSent() throws Exception {
		this.script.add(status(200, USAGE_JSON));
		Response holding = this.client.newCall(request(URL).build()).execute();
		Call call = this.client.newCall(request(URL).build());
		CompletableFuture<Response> async = enqueue(call);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partition().snapshot().queued() == 1);
		call.cancel();
		holding.close();
		assertThatThrownBy(() -> async.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
		assertThat(this.sent).hasSize(1);
		PartitionSnapshot snapshot = partition().snapshot();
		assertThat(snapshot.limits().get(0).used()).as("the cancelled call was not charged").isEqualTo(1);
	}

	private CompletableFuture<Response> enqueue(Request request) {
		return enqueue(this.client.newCall(request));
	}

	private static CompletableFuture<Response> enqueue(Call call) {
		CompletableFuture<Response> future = new CompletableFuture<>();
		call.enqueue(new Callback() {

			@Override
			public void onResponse(Call c, Response response) {
				future.complete(response);
			}

			@Override
			public void onFailure(Call c, IOException ex) {
				future.completeExceptionally(ex);
			}

		});
		return future;
	}

	/** One scripted answer. */
	@FunctionalInterface
	private interface Answer {

		Response.Builder get() throws IOException;

	}

}
