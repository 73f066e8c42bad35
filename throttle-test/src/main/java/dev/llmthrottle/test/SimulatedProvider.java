package dev.llmthrottle.test;

import dev.llmthrottle.test.clock.SimClock;
import dev.llmthrottle.test.config.CompletionLength;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Faults;
import dev.llmthrottle.test.config.LatencyModel;
import dev.llmthrottle.test.config.Limit;
import dev.llmthrottle.test.engine.Enforcer;
import dev.llmthrottle.test.engine.EnforcerSettings;
import dev.llmthrottle.test.http.MiniHttpServer;
import dev.llmthrottle.test.stats.Outcomes;
import dev.llmthrottle.test.stats.ProviderStats;
import dev.llmthrottle.test.stats.StatsAssembler;
import dev.llmthrottle.test.stats.StatsJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A simulated rate-limited LLM provider on a loopback port. It enforces its limits the
 * way the chosen {@link EnforcementModel} says, speaks one {@link Dialect}, injects the
 * configured {@link Faults}, and records evidence of everything it admitted and refused.
 *
 * <pre>{@code
 * try (SimulatedProvider provider = SimulatedProvider.builder()
 *         .dialect(Dialect.OPENAI)
 *         .model(EnforcementModel.SLIDING_WINDOW)
 *         .limit("requests", 50, Duration.ofSeconds(10))
 *         .limit("tokens", 20_000, Duration.ofSeconds(10))
 *         .latency(Duration.ofMillis(50))
 *         .seed(42)
 *         .start()) {
 *     callYourClient(provider.baseUrl() + "/v1/chat/completions");
 *     assertFalse(provider.stats().anyLimitExceeded());
 * }
 * }</pre>
 *
 * <p>
 * Decisions use the configured {@link SimClock} (real time by default); latency is real
 * sleeping.
 */
public final class SimulatedProvider implements AutoCloseable {

	/** The most connections served at once. */
	public static final int MAX_CONNECTIONS = 512;

	private final ProviderSettings settings;

	private final SimClock clock;

	private final Enforcer enforcer;

	private final Outcomes outcomes = new Outcomes();

	private final MiniHttpServer server;

	private SimulatedProvider(ProviderSettings settings, SimClock clock) throws IOException {
		this.settings = settings;
		this.clock = clock;
		this.enforcer = new Enforcer(new EnforcerSettings(settings.model(), settings.limits(), settings.quantum(),
				settings.maxConcurrent(), settings.faults().noisyNeighbourShare(), settings.seed()), clock);
		ProviderHandler handler = new ProviderHandler(settings, clock, enforcer, outcomes,
				() -> StatsJson.toJson(stats()), this::reset);
		this.server = MiniHttpServer.start(settings.port(), MAX_CONNECTIONS, handler);
	}

	/**
	 * A builder with defaults: OpenAI dialect, sliding window, no limits, no latency, no
	 * faults, seed 0.
	 */
	public static Builder builder() {
		return new Builder();
	}

	/** Starts a provider with the given settings on real time. */
	public static SimulatedProvider start(ProviderSettings settings) {
		return start(settings, SimClock.system());
	}

	/** Starts a provider with the given settings and clock. */
	public static SimulatedProvider start(ProviderSettings settings, SimClock clock) {
		try {
			return new SimulatedProvider(settings, clock);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot start the simulated provider on port " + settings.port(), e);
		}
	}

	/** The base URL, e.g. {@code http://127.0.0.1:41234} (no trailing slash). */
	public String baseUrl() {
		return "http://" + server.host() + ":" + server.port();
	}

	/** The URI of a path on this provider, e.g. {@code uri("/v1/chat/completions")}. */
	public URI uri(String path) {
		return URI.create(baseUrl() + path);
	}

	/** The URI of the dialect's chat endpoint. */
	public URI chatUri() {
		return uri(settings.dialect().path());
	}

	/** The bound port. */
	public int port() {
		return server.port();
	}

	/** The settings this provider runs with. */
	public ProviderSettings settings() {
		return settings;
	}

	/** The evidence since start or the last {@link #reset()}. */
	public ProviderStats stats() {
		return StatsAssembler.assemble(enforcer.ledger(), outcomes, settings.limits(), clock);
	}

	/** The evidence as the JSON served at {@code GET /stats}. */
	public String statsJson() {
		return StatsJson.toJson(stats());
	}

	/**
	 * Restores every limit to full and clears the evidence (also {@code POST /reset}).
	 */
	public void reset() {
		enforcer.reset();
		outcomes.reset();
	}

	/** Stops the server and closes every connection. */
	@Override
	public void close() {
		server.close();
	}

	@Override
	public String toString() {
		return "SimulatedProvider[" + baseUrl() + ", " + settings.dialect() + ", " + settings.model() + ", "
				+ settings.limits() + "]";
	}

	/**
	 * Configures and starts a {@link SimulatedProvider}. Not thread-safe; each call
	 * replaces a value.
	 */
	public static final class Builder {

		private Dialect dialect = Dialect.OPENAI;

		private EnforcementModel model = EnforcementModel.SLIDING_WINDOW;

		private final List<Limit> limits = new ArrayList<>();

		private Duration quantum = Duration.ofSeconds(1);

		private int maxConcurrent;

		private LatencyModel latency = LatencyModel.none();

		private CompletionLength completionLength = CompletionLength.defaults();

		private long defaultMaxTokens = 256;

		private Faults faults = Faults.none();

		private long seed;

		private int port;

		private boolean roundAnthropicRemaining = true;

		private SimClock clock = SimClock.system();

		private Builder() {
		}

		/** The wire dialect (default OpenAI). */
		public Builder dialect(Dialect dialect) {
			this.dialect = Objects.requireNonNull(dialect);
			return this;
		}

		/** The wire dialect by key: {@code openai}, {@code azure}, {@code anthropic}. */
		public Builder dialect(String key) {
			return dialect(Dialect.fromKey(key));
		}

		/** The enforcement model (default sliding window). */
		public Builder model(EnforcementModel model) {
			this.model = Objects.requireNonNull(model);
			return this;
		}

		/** The enforcement model by key, e.g. {@code token-bucket}. */
		public Builder model(String key) {
			return model(EnforcementModel.fromKey(key));
		}

		/** Adds a limit. */
		public Builder limit(Limit limit) {
			limits.add(Objects.requireNonNull(limit));
			return this;
		}

		/** Adds a limit of {@code amount} per {@code period}. */
		public Builder limit(Dimension dimension, long amount, Duration period) {
			return limit(new Limit(dimension, amount, period));
		}

		/** Adds a limit; the dimension by key ({@code requests}, {@code tokens}, ...). */
		public Builder limit(String dimension, long amount, Duration period) {
			return limit(Dimension.fromKey(dimension), amount, period);
		}

		/** Adds a limit from its spec, e.g. {@code requests:50/10s}. */
		public Builder limit(String spec) {
			return limit(Limit.parse(spec));
		}

		/** The quantized model's request window (default 1 s). */
		public Builder quantum(Duration quantum) {
			this.quantum = Objects.requireNonNull(quantum);
			return this;
		}

		/**
		 * A concurrency cap (0 = none). Exceeding it gives a 429
		 * ({@code rate_limit_exceeded}, hint = time until the first in-flight request is
		 * planned to finish) in the OpenAI dialects and a 529 {@code overloaded_error} in
		 * the Anthropic dialect.
		 */
		public Builder maxConcurrent(int maxConcurrent) {
			this.maxConcurrent = maxConcurrent;
			return this;
		}

		/** A fixed latency. */
		public Builder latency(Duration base) {
			return latency(LatencyModel.fixed(base));
		}

		/** Latency {@code base + perOutputToken * outputTokens + U[0, jitter)}. */
		public Builder latency(Duration base, Duration perOutputToken, Duration jitter) {
			return latency(new LatencyModel(base, perOutputToken, jitter));
		}

		/** The latency model. */
		public Builder latency(LatencyModel latency) {
			this.latency = Objects.requireNonNull(latency);
			return this;
		}

		/**
		 * The completion length distribution (default uniform in [max_tokens/4,
		 * max_tokens]).
		 */
		public Builder completionLength(CompletionLength completionLength) {
			this.completionLength = Objects.requireNonNull(completionLength);
			return this;
		}

		/**
		 * The output cap assumed when a request sets no {@code max_tokens} (default 256).
		 */
		public Builder defaultMaxTokens(long defaultMaxTokens) {
			this.defaultMaxTokens = defaultMaxTokens;
			return this;
		}

		/** Faults and modes (default none). */
		public Builder faults(Faults faults) {
			this.faults = Objects.requireNonNull(faults);
			return this;
		}

		/** The seed of every random choice (default 0). */
		public Builder seed(long seed) {
			this.seed = seed;
			return this;
		}

		/** The port (default 0 = a free port). */
		public Builder port(int port) {
			this.port = port;
			return this;
		}

		/**
		 * Whether Anthropic token remaining headers are rounded to the nearest 1,000
		 * (default true, as real).
		 */
		public Builder roundAnthropicRemaining(boolean round) {
			this.roundAnthropicRemaining = round;
			return this;
		}

		/** The clock for decisions and header instants (default real time). */
		public Builder clock(SimClock clock) {
			this.clock = Objects.requireNonNull(clock);
			return this;
		}

		/** The settings built so far. */
		public ProviderSettings settings() {
			return new ProviderSettings(dialect, model, limits, quantum, maxConcurrent, latency, completionLength,
					defaultMaxTokens, faults, seed, port, roundAnthropicRemaining);
		}

		/**
		 * Binds to 127.0.0.1 and starts serving.
		 * @throws UncheckedIOException when the port cannot be bound
		 */
		public SimulatedProvider start() {
			return SimulatedProvider.start(settings(), clock);
		}

	}

}
