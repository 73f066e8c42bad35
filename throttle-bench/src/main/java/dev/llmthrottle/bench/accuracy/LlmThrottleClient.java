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

import dev.llmthrottle.autoconfigure.Backend;
import dev.llmthrottle.autoconfigure.ConcurrencyAmount;
import dev.llmthrottle.autoconfigure.LimitAmount;
import dev.llmthrottle.autoconfigure.LlmThrottleProperties;
import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderProperties;
import dev.llmthrottle.autoconfigure.ThrottlePolicyFactory;
import dev.llmthrottle.autoconfigure.web.LlmThrottleClientHttpRequestInterceptor;
import dev.llmthrottle.bench.redis.RedisInstance;
import dev.llmthrottle.core.Limit;
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
import dev.llmthrottle.protocol.tokens.TokenEstimator;

/**
 * llm-throttle as an application gets it: {@code llm.throttle.providers.sim.*} properties
 * (base URL, dialect, the provider's limits or {@code auto}, {@code max-concurrent}; a
 * diagnostic run may also set {@code burst}) validated into a policy by
 * {@link ThrottlePolicyFactory}, and a {@code RestClient} with our interceptor built as
 * the auto-configuration builds it (default retry, max-wait, queue, token estimator and
 * safety factor). It estimates, admits, feeds headers back, cools down on 429 and settles
 * from {@code usage} on its own.
 */
final class LlmThrottleClient implements BatchClient {

	static final String PROVIDER = "sim";

	private final SystemTimeSource time;

	private final RedisInstance redis;

	private final ProviderThrottler throttler;

	private final RestClient rest;

	private final URI chatUri;

	/**
	 * @param configured the limits to configure, or {@code null} for
	 * {@code requests-per-minute} and {@code tokens-per-minute} set to {@code auto}
	 */
	LlmThrottleClient(String baseUrl, URI chatUri, Quota configured, ClientOptions options) {
		this(baseUrl, chatUri, configured, options, null, null);
	}

	/**
	 * An instance on the Redis backend ({@code backend: redis},
	 * {@code llm.throttle.redis.key-prefix} and {@code llm.throttle.partition-key-secret}
	 * set; everything else default), with its own Lettuce connection.
	 * @param redisKeyPrefix the key prefix shared by the instances that share one quota,
	 * or {@code null} for the in-memory backend
	 * @param partitionKeySecret the secret shared by those instances
	 */
	LlmThrottleClient(String baseUrl, URI chatUri, Quota configured, ClientOptions options, String redisKeyPrefix,
			String partitionKeySecret) {
		this.chatUri = chatUri;
		LlmThrottleProperties properties = properties(baseUrl, configured, options);
		if (redisKeyPrefix != null) {
			properties.getProviders().get(PROVIDER).setBackend(Backend.REDIS);
			properties.setPartitionKeySecret(partitionKeySecret);
		}
		ThrottlePolicyFactory factory = new ThrottlePolicyFactory();
		ProviderDefinition definition = factory.definitions(properties).get(PROVIDER);
		if (redisKeyPrefix != null) {
			this.redis = new RedisInstance(redisKeyPrefix, definition.policy(), factory.partitionKeys(properties));
			this.time = this.redis.time();
			this.throttler = this.redis.throttler();
		}
		else {
			this.redis = null;
			this.time = new SystemTimeSource();
			this.throttler = new ProviderThrottler(definition.policy(), this.time, factory.partitionKeys(properties),
					ThrottleListener.NONE);
		}
		LlmProvider provider = new LlmProvider(PROVIDER, definition.dialect(), definition.baseUrls(),
				definition.retry(), definition.defaultOutputTokens(), this.throttler);
		LlmThrottleClientHttpRequestInterceptor interceptor = new LlmThrottleClientHttpRequestInterceptor(
				new LlmProviders(List.of(provider)),
				new ResponseFeedback(Clock.systemUTC(), new Random(options.seed()), ThrottleListener.NONE),
				new CostEstimator(options.tokenCounter(), TokenEstimator.DEFAULT_SAFETY_FACTOR), new CurrentAdmission(),
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

	/** What a user would write under {@code llm.throttle.providers.sim}. */
	static LlmThrottleProperties properties(String baseUrl, Quota configured, ClientOptions options) {
		ProviderProperties provider = new ProviderProperties();
		provider.setBaseUrl(List.of(URI.create(baseUrl)));
		provider.setDialect(Dialect.OPENAI);
		provider.setMaxConcurrent(ConcurrencyAmount.valueOf(options.maxConcurrent()));
		if (!options.burst().isZero()) {
			provider.setBurst(options.burst());
		}
		if (configured == null) {
			provider.setRequestsPerMinute(LimitAmount.AUTO);
			provider.setTokensPerMinute(LimitAmount.AUTO);
		}
		else {
			for (Limit limit : configured.limits()) {
				ProviderProperties.LimitProperties properties = new ProviderProperties.LimitProperties();
				properties.setDimension(limit.dimension().id());
				properties.setAmount(limit.amount());
				properties.setPeriod(limit.period());
				provider.getLimits().add(properties);
			}
		}
		LlmThrottleProperties properties = new LlmThrottleProperties();
		properties.getProviders().put(PROVIDER, provider);
		return properties;
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

	/**
	 * Problems the engine's own books show after the batch: permits still held or
	 * released twice.
	 */
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
		if (this.redis != null) {
			this.redis.close();
		}
		else {
			this.time.close();
		}
	}

}
