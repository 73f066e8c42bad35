package dev.llmthrottle.bench.adaptive;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

import dev.llmthrottle.autoconfigure.ConcurrencyAmount;
import dev.llmthrottle.autoconfigure.LimitAmount;
import dev.llmthrottle.autoconfigure.LlmThrottleProperties;
import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderProperties;
import dev.llmthrottle.autoconfigure.ThrottlePolicyFactory;
import dev.llmthrottle.autoconfigure.web.LlmThrottleClientHttpRequestInterceptor;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviderException;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.protocol.tokens.TokenEstimator;

/**
 * llm-throttle as an application configures it: {@code requests-per-minute} and
 * {@code max-concurrent} (a number or {@code auto}) under
 * {@code llm.throttle.providers.sim}, validated by {@link ThrottlePolicyFactory}, and a
 * {@code RestClient} with our interceptor (default retry, max-wait and queue).
 */
final class AdaptiveClient implements AutoCloseable {

	private static final String PROVIDER = "sim";

	/** Not a real key: the partition every call of the benchmark goes to. */
	private static final String KEY = "sk-bench-not-a-key";

	private final SystemTimeSource time = new SystemTimeSource();

	private final ProviderThrottler throttler;

	private final RestClient rest;

	private final URI chatUri;

	/**
	 * @param tokenCounter shared by every client of a run, as an application shares one
	 * (its encodings take seconds to load)
	 */
	AdaptiveClient(String baseUrl, URI chatUri, long requestsPerMinute, String maxConcurrent, long seed,
			JtokkitTokenCounter tokenCounter) {
		this.chatUri = chatUri;
		ProviderProperties provider = new ProviderProperties();
		provider.setBaseUrl(List.of(URI.create(baseUrl)));
		provider.setDialect(Dialect.OPENAI);
		provider.setRequestsPerMinute(LimitAmount.valueOf(requestsPerMinute));
		provider.setMaxConcurrent(ConcurrencyAmount.valueOf(maxConcurrent));
		LlmThrottleProperties properties = new LlmThrottleProperties();
		properties.getProviders().put(PROVIDER, provider);
		ThrottlePolicyFactory factory = new ThrottlePolicyFactory();
		ProviderDefinition definition = factory.definitions(properties).get(PROVIDER);
		this.throttler = new ProviderThrottler(definition.policy(), this.time, factory.partitionKeys(properties),
				ThrottleListener.NONE);
		LlmProvider llm = new LlmProvider(PROVIDER, definition.dialect(), definition.baseUrls(), definition.retry(),
				definition.defaultOutputTokens(), this.throttler);
		LlmThrottleClientHttpRequestInterceptor interceptor = new LlmThrottleClientHttpRequestInterceptor(
				new LlmProviders(List.of(llm)),
				new ResponseFeedback(Clock.systemUTC(), new Random(seed), ThrottleListener.NONE),
				new CostEstimator(tokenCounter, TokenEstimator.DEFAULT_SAFETY_FACTOR), new CurrentAdmission(),
				this.time);
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		this.rest = RestClient.builder()
			.requestFactory(new JdkClientHttpRequestFactory(http))
			.requestInterceptor(interceptor)
			.build();
	}

	/** Sends one call (retried by the interceptor as configured); its final status. */
	String send(String body) {
		try {
			int status = this.rest.post()
				.uri(this.chatUri)
				.contentType(MediaType.APPLICATION_JSON)
				.header("Authorization", "Bearer " + KEY)
				.body(body)
				.exchange((request, response) -> response.getStatusCode().value());
			return Integer.toString(status);
		}
		catch (ThrottleRejectedException | LlmProviderException | RestClientException ex) {
			return ex.getClass().getSimpleName();
		}
	}

	/** The partition of the benchmark's API key, where every call goes. */
	Partition partition() {
		return this.throttler.partition(KEY);
	}

	/** Permits still held, queued or released twice after the run (should be none). */
	String leaks() {
		StringBuilder leaks = new StringBuilder();
		for (Partition partition : this.throttler.partitions()) {
			PartitionSnapshot snapshot = partition.snapshot();
			if (snapshot.inFlight() != 0 || snapshot.queued() != 0 || snapshot.repeatedReleases() != 0) {
				leaks.append(snapshot).append(' ');
			}
		}
		return leaks.toString().trim();
	}

	@Override
	public void close() {
		this.time.close();
	}

}
