package dev.llmthrottle.test;

import dev.llmthrottle.test.config.CompletionLength;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Faults;
import dev.llmthrottle.test.config.LatencyModel;
import dev.llmthrottle.test.config.Limit;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything that defines a simulated provider run (except the clock). Built by
 * {@link SimulatedProvider.Builder}; reproducible for a given seed and request sequence.
 *
 * @param dialect wire dialect
 * @param model enforcement model
 * @param limits limits in reporting order
 * @param quantum request window of the quantized model
 * @param maxConcurrent concurrency cap, 0 = none
 * @param latency latency model
 * @param completionLength completion length distribution
 * @param defaultMaxTokens output cap assumed when a request sets none
 * @param faults faults and modes
 * @param seed seed of every random choice
 * @param port port to bind, 0 = a free one
 * @param roundAnthropicRemaining whether Anthropic token remaining headers are rounded to
 * the nearest 1,000
 */
public record ProviderSettings(Dialect dialect, EnforcementModel model, List<Limit> limits, Duration quantum,
		int maxConcurrent, LatencyModel latency, CompletionLength completionLength, long defaultMaxTokens,
		Faults faults, long seed, int port, boolean roundAnthropicRemaining) {

	/**
	 * Settings from the standalone flags, e.g.
	 * {@code fromFlags("--model=quantized", "--limit=requests:50/10s")}. See
	 * {@code SimulatedProviderMain --help}.
	 * @throws IllegalArgumentException when a flag is unknown or malformed
	 */
	public static ProviderSettings fromFlags(String... flags) {
		try {
			return CommandLine.parse(flags);
		}
		catch (CommandLine.UsageException e) {
			throw new IllegalArgumentException(e.getMessage(), e);
		}
	}

	/** Validates and copies. */
	public ProviderSettings {
		Objects.requireNonNull(dialect, "dialect");
		Objects.requireNonNull(model, "model");
		limits = List.copyOf(limits);
		Objects.requireNonNull(quantum, "quantum");
		if (quantum.isNegative() || quantum.isZero()) {
			throw new IllegalArgumentException("quantum must be positive");
		}
		if (maxConcurrent < 0) {
			throw new IllegalArgumentException("maxConcurrent must not be negative");
		}
		Objects.requireNonNull(latency, "latency");
		Objects.requireNonNull(completionLength, "completionLength");
		if (defaultMaxTokens < 1) {
			throw new IllegalArgumentException("defaultMaxTokens must be positive");
		}
		Objects.requireNonNull(faults, "faults");
		if (port < 0 || port > 65_535) {
			throw new IllegalArgumentException("port out of range: " + port);
		}
	}
}
