package dev.llmthrottle.autoconfigure.web;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.client.ExpectedCount;
import org.springframework.test.web.client.MockRestServiceServer;
import org.springframework.test.web.client.response.MockRestResponseCreators;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
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
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.requestTo;

/**
 * The {@link LlmThrottleAttributes#PRIORITY} request attribute through a real
 * {@code RestClient} and {@code WebClient}: a request marked interactive is sent before a
 * default caller that queued first; a value that names no lane fails the request, naming
 * the attribute, and holds nothing.
 */
class PriorityAttributeTests {

	private static final String URL = "https://api.openai.test/v1/chat/completions";

	private final SystemTimeSource time = new SystemTimeSource();

	private final ProviderThrottler throttler = new ProviderThrottler(
			ThrottlePolicy.of("openai", 1).withMaxWait(Duration.ofSeconds(30)), this.time,
			PartitionKeys.withRandomSecret(), ThrottleListener.NONE);

	private final LlmProviders providers = new LlmProviders(
			List.of(new LlmProvider("openai", Dialect.OPENAI, List.of(URI.create("https://api.openai.test/v1")),
					new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(60), null), 0,
					this.throttler)));

	private final ResponseFeedback feedback = new ResponseFeedback(Clock.systemUTC(), new Random(1),
			ThrottleListener.NONE);

	private final CostEstimator costs = new CostEstimator(new JtokkitTokenCounter(), 1.2);

	private final List<String> order = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() {
		this.time.close();
	}

	private Partition partition() {
		return this.throttler.partition("sk-test-key");
	}

	/** Holds the only slot and queues a default caller behind it. */
	private Permit busyWithADefaultCallerQueued() {
		Permit busy = partition().tryAcquire(Cost.oneRequest());
		assertThat(busy).isNotNull();
		partition().acquireAsync(Cost.oneRequest()).thenAccept((permit) -> {
			this.order.add("default");
			permit.release(null);
		});
		return busy;
	}

	private RestClient restClient() {
		RestClient.Builder builder = RestClient.builder()
			.requestInterceptor(new LlmThrottleClientHttpRequestInterceptor(this.providers, this.feedback, this.costs,
					new CurrentAdmission(), this.time));
		MockRestServiceServer server = MockRestServiceServer.bindTo(builder).build();
		server.expect(ExpectedCount.manyTimes(), requestTo(URL)).andRespond((request) -> {
			this.order.add("sent");
			return MockRestResponseCreators.withSuccess("{}", MediaType.APPLICATION_JSON).createResponse(request);
		});
		return builder.build();
	}

	@Test
	void restClientSendsAnInteractiveRequestBeforeAnEarlierDefaultCaller() throws Exception {
		RestClient client = restClient();
		Permit busy = busyWithADefaultCallerQueued();
		CompletableFuture<Integer> call = CompletableFuture.supplyAsync(() -> client.post()
			.uri(URL)
			.header("Authorization", "Bearer sk-test-key")
			.attribute(LlmThrottleAttributes.PRIORITY, "interactive")
			.retrieve()
			.toBodilessEntity()
			.getStatusCode()
			.value());
		await().atMost(Duration.ofSeconds(10)).until(() -> partition().snapshot().queued() == 2);
		busy.release(null);
		assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(200);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.order.size() == 2);
		assertThat(this.order).containsExactly("sent", "default");
		assertThat(partition().snapshot().inFlight()).isZero();
	}

	@Test
	void restClientRejectsAnUnknownPriorityNamingTheAttribute() {
		RestClient client = restClient();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> client.post()
				.uri(URL)
				.header("Authorization", "Bearer sk-test-key")
				.attribute(LlmThrottleAttributes.PRIORITY, "urgent")
				.retrieve()
				.toBodilessEntity())
			.withMessageContaining(LlmThrottleAttributes.PRIORITY)
			.withMessageContaining("urgent");
		assertThat(this.order).isEmpty();
		assertThat(partition().snapshot().inFlight()).isZero();
	}

	private WebClient webClient() {
		return WebClient.builder()
			.filter(new LlmThrottleExchangeFilterFunction(this.providers, this.feedback, this.costs, this.time))
			.exchangeFunction((request) -> Mono.fromCallable(() -> {
				this.order.add("sent");
				return ClientResponse.create(HttpStatus.OK)
					.header("Content-Type", "application/json")
					.body("{}")
					.build();
			}))
			.build();
	}

	@Test
	void webClientSendsAnInteractiveRequestBeforeAnEarlierDefaultCaller() throws Exception {
		WebClient client = webClient();
		Permit busy = busyWithADefaultCallerQueued();
		CompletableFuture<Integer> call = client.post()
			.uri(URL)
			.header("Authorization", "Bearer sk-test-key")
			.attribute(LlmThrottleAttributes.PRIORITY, Priority.INTERACTIVE)
			.retrieve()
			.toBodilessEntity()
			.map((entity) -> entity.getStatusCode().value())
			.toFuture();
		await().atMost(Duration.ofSeconds(10)).until(() -> partition().snapshot().queued() == 2);
		busy.release(null);
		assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(200);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.order.size() == 2);
		assertThat(this.order).containsExactly("sent", "default");
		assertThat(partition().snapshot().inFlight()).isZero();
	}

	@Test
	void webClientRejectsAPriorityOfTheWrongType() {
		WebClient client = webClient();
		Mono<?> call = client.post()
			.uri(URL)
			.header("Authorization", "Bearer sk-test-key")
			.attribute(LlmThrottleAttributes.PRIORITY, 3)
			.retrieve()
			.toBodilessEntity();
		assertThatIllegalArgumentException().isThrownBy(call::block)
			.withMessageContaining(LlmThrottleAttributes.PRIORITY)
			.withMessageContaining("java.lang.Integer");
		assertThat(this.order).isEmpty();
		assertThat(partition().snapshot().inFlight()).isZero();
	}

}
