package dev.llmthrottle.sample.batch;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.ResourceLoader;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.sample.SampleProperties;
import dev.llmthrottle.sample.client.CallTrace;
import dev.llmthrottle.sample.client.ChatClient;
import dev.llmthrottle.sample.client.Completion;
import dev.llmthrottle.sample.client.Prompt;
import dev.llmthrottle.sample.client.ProviderEndpoint;
import dev.llmthrottle.sample.client.ProviderEndpoints;
import dev.llmthrottle.sample.client.BatchClients;
import dev.llmthrottle.sample.client.CallerSideTrace;
import dev.llmthrottle.sample.simulated.SimulatedProviders;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.stats.ProviderStats;

/**
 * The sample's main job: sends every prompt of the dataset through the provider's
 * {@code @LlmThrottled} method, as fast as its limits allow and no faster, then writes
 * the results file and the timeline chart and prints the {@code SUMMARY} line. The exit
 * code (as an {@link ExitCodeGenerator}) is 0 only when no prompt failed.
 */
@Component
@Order(100)
public class BatchRunner implements ApplicationRunner, ExitCodeGenerator {

	private static final Log logger = LogFactory.getLog(BatchRunner.class);

	private final SampleProperties properties;

	private final BatchClients clients;

	private final ChatClient client;

	private final ProviderEndpoints endpoints;

	private final ProviderDefinitions definitions;

	private final LlmThrottlers throttlers;

	private final ObjectProvider<SimulatedProviders> simulated;

	private final ResourceLoader resources;

	private final JsonMapper json;

	private volatile BatchSummary summary;

	public BatchRunner(SampleProperties properties, BatchClients clients, ChatClient client,
			ProviderEndpoints endpoints, ProviderDefinitions definitions, LlmThrottlers throttlers,
			ObjectProvider<SimulatedProviders> simulated, ResourceLoader resources, JsonMapper json) {
		this.properties = properties;
		this.clients = clients;
		this.client = client;
		this.endpoints = endpoints;
		this.definitions = definitions;
		this.throttlers = throttlers;
		this.simulated = simulated;
		this.resources = resources;
		this.json = json;
	}

	@Override
	public void run(ApplicationArguments args) throws IOException {
		SampleProperties.Batch batch = this.properties.batch();
		if (!batch.enabled()) {
			return;
		}
		String provider = batch.provider();
		ProviderEndpoint endpoint = this.endpoints.get(provider);
		try (BatchClients.Caller caller = this.clients.caller(endpoint, batch.concurrency())) {
			run(batch, provider, endpoint, caller);
		}
	}

	private void run(SampleProperties.Batch batch, String provider, ProviderEndpoint endpoint,
			BatchClients.Caller caller) throws IOException {
		Function<Prompt, Mono<Completion>> call = caller::complete;
		ProviderDefinition definition = this.definitions.get(provider);
		List<Limit> limits = definition.policy().limits();
		int maxConcurrent = definition.policy().maxConcurrent();
		List<Prompt> prompts = PromptDataset.load(this.resources.getResource(batch.input()), batch.count(), this.json);
		logger.info(String.format(Locale.ROOT,
				"Batch: %d prompts from %s to %s through %s; limits %s, max-concurrent %d%s", prompts.size(),
				batch.input(), endpoint, caller.client(), limits, maxConcurrent, simulatedDescription(provider)));

		warmUpSimulator(endpoint, prompts);
		BatchRecorder recorder = new BatchRecorder(prompts);
		ProviderThrottler throttler = this.throttlers.get(provider);
		ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "batch-progress");
			thread.setDaemon(true);
			return thread;
		});
		long interval = Math.max(1, batch.progressInterval().toMillis());
		recorder.started();
		ticker.scheduleAtFixedRate(() -> logger.info(ProgressLine.of(recorder, throttler, limits)), interval, interval,
				TimeUnit.MILLISECONDS);
		try {
			Flux.fromIterable(recorder.calls())
				.flatMap((batchCall) -> send(batchCall, call, recorder), Math.max(1, batch.concurrency()))
				.blockLast();
		}
		finally {
			recorder.finished();
			ticker.shutdownNow();
		}
		logger.info(ProgressLine.of(recorder, throttler, limits));

		this.summary = summarize(provider, recorder, limits, maxConcurrent, caller.seesTheWire());
		Path output = Path.of(batch.output()).toAbsolutePath().normalize();
		Path chart = output.resolveSibling("timeline.svg");
		writeResults(output, recorder.calls());
		writeChart(chart, recorder, limits);
		logger.info("Results: " + output + " (" + recorder.calls().size() + " lines); timeline: " + chart);
		logger
			.info("Lower bound " + String.format(Locale.ROOT, "%.2f s", this.summary.lowerBoundSeconds()) + ", set by "
					+ this.summary.lowerBound().binding() + "; all terms: " + this.summary.lowerBound().terms());
		if (!exitWhenDone()) {
			printSummary();
		}
	}

	/**
	 * Sends a few requests to the batch's simulator around the throttler, then resets the
	 * simulator: both sides of the wire are warm and start from clean counters. Does
	 * nothing for a real provider.
	 */
	private void warmUpSimulator(ProviderEndpoint endpoint, List<Prompt> prompts) {
		int requests = this.properties.simulated().warmUpRequests();
		SimulatedProviders providers = this.simulated.getIfAvailable();
		SimulatedProvider simulator = (providers != null) ? providers.get(endpoint.name()).orElse(null) : null;
		if (simulator == null || requests <= 0) {
			return;
		}
		Flux.range(0, requests)
			.flatMap((i) -> this.client.completeUnthrottled(endpoint, prompts.get(i % prompts.size()))
				.onErrorResume((error) -> Mono.empty()), 8)
			.blockLast(Duration.ofMinutes(1));
		simulator.reset();
	}

	/** One prompt: never fails, a failure becomes a result. */
	private Mono<CallResult> send(BatchCall batchCall, Function<Prompt, Mono<Completion>> call,
			BatchRecorder recorder) {
		return Mono.defer(() -> {
			batchCall.submitted();
			return call.apply(batchCall.prompt());
		})
			.map((completion) -> result(recorder, batchCall, completion, null))
			.onErrorResume((error) -> Mono.just(result(recorder, batchCall, null, error)))
			.contextWrite((context) -> context.put(CallTrace.CONTEXT_KEY, batchCall.trace()))
			.doOnNext((result) -> recorder.record(batchCall, result));
	}

	private static CallResult result(BatchRecorder recorder, BatchCall batchCall, Completion completion,
			Throwable error) {
		List<CallTrace.Attempt> attempts = batchCall.trace().attempts();
		CallTrace.Attempt last = attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
		long now = System.nanoTime();
		long sentMs = attempts.isEmpty() ? -1 : millis(attempts.get(0).startedAt() - recorder.startedAt());
		long waitMs = attempts.isEmpty() ? 0 : millis(attempts.get(0).startedAt() - batchCall.submittedAt());
		long latencyMs = (last != null) ? millis(last.latencyNanos()) : 0;
		int status = (last != null) ? last.status() : 0;
		int carried = CallerSideTrace.status(error);
		if (carried > 0) {
			status = carried;
		}
		return new CallResult(batchCall.prompt().id(), completion != null, status,
				(completion != null) ? completion.inputTokens() : 0,
				(completion != null) ? completion.outputTokens() : 0, attempts.size(), sentMs, waitMs, latencyMs,
				millis(now - batchCall.submittedAt()), describe(error));
	}

	private static String describe(Throwable error) {
		if (error == null) {
			return null;
		}
		String message = (error instanceof WebClientResponseException response)
				? "HTTP " + response.getStatusCode().value() + " " + response.getStatusText()
				: error.getClass().getSimpleName() + ": " + error.getMessage();
		if (!(error instanceof WebClientResponseException) && CallerSideTrace.status(error) > 0) {
			message = "HTTP " + CallerSideTrace.status(error) + " " + message;
		}
		return (message.length() > 300) ? message.substring(0, 300) + "..." : message;
	}

	/**
	 * The batch's figures. When the client's HTTP is not tapped ({@code wire} false: an
	 * SDK's own OkHttp client), its attempts are seen from the caller's side only (their
	 * latency holds the SDK's retries and any wait for admission), so the lower bound
	 * counts the successful calls as the requests and leaves the latency term out.
	 */
	private BatchSummary summarize(String provider, BatchRecorder recorder, List<Limit> limits, int maxConcurrent,
			boolean wire) {
		long succeeded = 0;
		long input = 0;
		long output = 0;
		long counted = 0;
		long latencyNanos = 0;
		long attempts = 0;
		for (BatchCall batchCall : recorder.calls()) {
			CallResult result = batchCall.result();
			if (result.ok()) {
				succeeded++;
				input += result.inputTokens();
				output += result.outputTokens();
			}
			for (CallTrace.Attempt attempt : batchCall.trace().attempts()) {
				attempts++;
				latencyNanos += attempt.latencyNanos();
				if (attempt.status() != 429) {
					counted++;
				}
			}
		}
		long calls = recorder.calls().size();
		long retries = attempts - recorder.calls().stream().filter((c) -> !c.trace().attempts().isEmpty()).count();
		LowerBound bound = LowerBound.of(limits, maxConcurrent,
				wire ? new LowerBound.Spent(counted, input, output, latencyNanos / 1e9)
						: new LowerBound.Spent(succeeded, input, output, 0));
		return new BatchSummary(provider, (int) calls, succeeded, calls - succeeded, http429(provider, recorder),
				retries, recorder.makespanSeconds(), bound);
	}

	/**
	 * The simulator's own count when simulated (authoritative), else what the innermost
	 * filter saw.
	 */
	private long http429(String provider, BatchRecorder recorder) {
		SimulatedProviders providers = this.simulated.getIfAvailable();
		SimulatedProvider simulator = (providers != null) ? providers.get(provider).orElse(null) : null;
		if (simulator == null) {
			return recorder.tooManyRequests();
		}
		ProviderStats stats = simulator.stats();
		logger.info("Simulated provider's evidence: received " + stats.received() + ", admitted " + stats.admitted()
				+ ", refused " + stats.rejectedByReason() + ", responses " + stats.responsesByStatus() + ", faults "
				+ stats.faults() + ", most requests in any second " + stats.maxRequestsInAnySecond()
				+ ", most in flight " + stats.maxInFlight() + ", peak use of each limit in any of its windows "
				+ stats.limits()
					.stream()
					.map((limit) -> String.format(Locale.ROOT, "%s %.2f", limit.limit(), limit.peakUtilization()))
					.toList());
		long counted = stats.tooManyRequests();
		if (counted != recorder.tooManyRequests()) {
			logger.warn("The simulated provider sent " + counted + " 429s but the client saw "
					+ recorder.tooManyRequests() + " (demo calls, or calls outside the batch, also count)");
		}
		return counted;
	}

	private String simulatedDescription(String provider) {
		SimulatedProviders providers = this.simulated.getIfAvailable();
		return (providers == null) ? "" : providers.get(provider)
			.map((simulator) -> "; simulated " + simulator.settings().model() + " " + simulator.settings().limits()
					+ ", faults " + simulator.settings().faults().serverErrorProbability())
			.orElse("");
	}

	private void writeResults(Path output, List<BatchCall> calls) throws IOException {
		Files.createDirectories(output.getParent());
		try (Writer writer = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
			for (BatchCall batchCall : calls) {
				CallResult result = batchCall.result();
				Map<String, Object> line = new LinkedHashMap<>();
				line.put("id", result.id());
				line.put("status", result.ok() ? "ok" : "failed");
				line.put("http_status", result.httpStatus());
				line.put("tokens_in", result.inputTokens());
				line.put("tokens_out", result.outputTokens());
				line.put("attempts", result.attempts());
				line.put("sent_ms", result.sentMs());
				line.put("wait_ms", result.waitMs());
				line.put("latency_ms", result.latencyMs());
				line.put("total_ms", result.totalMs());
				line.put("error", result.error());
				writer.write(this.json.writeValueAsString(line));
				writer.write('\n');
			}
		}
	}

	private void writeChart(Path chart, BatchRecorder recorder, List<Limit> limits) throws IOException {
		TimelineChart timeline = new TimelineChart(limits, recorder.makespanSeconds());
		for (BatchCall batchCall : recorder.calls()) {
			List<CallTrace.Attempt> attempts = batchCall.trace().attempts();
			for (CallTrace.Attempt attempt : attempts) {
				timeline.attempt(recorder.secondsSinceStart(attempt.startedAt()), attempt.status());
			}
			CallResult result = batchCall.result();
			if (result.ok() && !attempts.isEmpty()) {
				timeline.tokens(recorder.secondsSinceStart(attempts.get(attempts.size() - 1).startedAt()),
						result.inputTokens(), result.outputTokens());
			}
		}
		String subtitle = this.summary.line().substring("SUMMARY ".length());
		Files.writeString(chart, timeline.render("llm-throttle sample batch: " + this.summary.provider(), subtitle),
				StandardCharsets.UTF_8);
	}

	/** The figures of the last batch, or {@code null} before it finished. */
	public BatchSummary summary() {
		return this.summary;
	}

	/** Whether the application should exit once the batch is done. */
	public boolean exitWhenDone() {
		return this.properties.batch().enabled() && this.properties.batch().exit();
	}

	/** Prints the {@code SUMMARY} line to standard output. */
	public void printSummary() {
		if (this.summary != null) {
			System.out.println(this.summary.line());
		}
	}

	@Override
	public int getExitCode() {
		return (this.summary == null || this.summary.failed() == 0) ? 0 : 1;
	}

	private static long millis(long nanos) {
		return Duration.ofNanos(nanos).toMillis();
	}

}
