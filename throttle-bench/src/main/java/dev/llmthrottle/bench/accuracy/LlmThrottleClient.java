package dev.llmthrottle.bench.accuracy;

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

import dev.llmthrottle.autoconfigure.web.LlmThrottleClientHttpRequestInterceptor;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviderException;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.TokenEstimator;

/**
 * llm-throttle as an application gets it: a {@code RestClient} with our interceptor, built as the auto-configuration
 * builds it (default retry policy, burst, max-wait and queue; the default token estimator and its safety factor),
 * with the provider's limits and a concurrency cap as the only settings (a diagnostic run may set the burst). It estimates, admits, feeds headers back,
 * cools down on 429 and settles from {@code usage} on its own.
 */
final class LlmThrottleClient implements BatchClient {

	private final SystemTimeSource time = new SystemTimeSource();

	private final ProviderThrottler throttler;

	private final RestClient rest;

	private final URI chatUri;

	LlmThrottleClient(String baseUrl, URI chatUri, Quota configured, ClientOptions options) {
		this.chatUri = chatUri;
		ThrottlePolicy policy = new ThrottlePolicy("sim", configured.limits(), options.maxConcurrent(),
				ThrottlePolicy.DEFAULT_MAX_WAIT, ThrottlePolicy.DEFAULT_MAX_QUEUE, options.burst(),
				ThrottlePolicy.DEFAULT_MAX_PARTITIONS);
		this.throttler = new ProviderThrottler(policy, this.time, PartitionKeys.withRandomSecret(),
				ThrottleListener.NONE);
		LlmProvider provider = new LlmProvider("sim", Dialect.OPENAI, List.of(URI.create(baseUrl)),
				RetryPolicy.DEFAULT, 0, this.throttler);
		LlmThrottleClientHttpRequestInterceptor interceptor = new LlmThrottleClientHttpRequestInterceptor(
				new LlmProviders(List.of(provider)),
				new ResponseFeedback(Clock.systemUTC(), new Random(options.seed()), ThrottleListener.NONE),
				new CostEstimator(options.tokenCounter(), TokenEstimator.DEFAULT_SAFETY_FACTOR),
				new CurrentAdmission(), this.time);
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		this.rest = RestClient.builder()
			.requestFactory(new JdkClientHttpRequestFactory(http))
			.requestInterceptor(interceptor)
			.build();
	}

	@Override
	public Outcome send(Call call) throws InterruptedException {
		try {
			int status = this.rest.post()
				.uri(this.chatUri)
				.contentType(MediaType.APPLICATION_JSON)
				.header("Authorization", "Bearer sk-bench-not-a-key")
				.body(call.body())
				.exchange((request, response) -> response.getStatusCode().value());
			return (status == 200) ? Outcome.OK : Outcome.failed("HTTP " + status);
		}
		catch (ThrottleRejectedException | LlmProviderException | RestClientException ex) {
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedException("stopped");
			}
			return Outcome.failed(ex);
		}
	}

	/** Problems the engine's own books show after the batch: permits still held or released twice. */
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
