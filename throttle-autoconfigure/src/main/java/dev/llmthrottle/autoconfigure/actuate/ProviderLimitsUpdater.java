package dev.llmthrottle.autoconfigure.actuate;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.convert.DurationStyle;

import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException;
import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException.Problem;
import dev.llmthrottle.autoconfigure.ConcurrencyAmount;
import dev.llmthrottle.autoconfigure.LimitAmount;
import dev.llmthrottle.autoconfigure.LlmThrottleProperties;
import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.autoconfigure.ProviderProperties;
import dev.llmthrottle.autoconfigure.ThrottlePolicyFactory;
import dev.llmthrottle.autoconfigure.events.ThrottleEventRecorder;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.LimitShape;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.protocol.SecretRedactor;

/**
 * Changes a provider's limits at runtime. The change is expressed with the same keys as
 * {@code llm.throttle.providers.<name>.*} and validated by the same
 * {@link ThrottlePolicyFactory} as the startup configuration, so the same values are
 * refused with the same messages. It is then applied through
 * {@link ProviderThrottler#apply(ThrottlePolicy)}: limits whose dimension and period are
 * unchanged keep their accounting, calls in flight and waiting are kept, and new
 * admissions see the new limits at once.
 */
public final class ProviderLimitsUpdater {

	private static final System.Logger logger = System.getLogger(ProviderLimitsUpdater.class.getName());

	private static final Pattern LIMIT = Pattern
		.compile("\\s*([0-9][0-9_]*)\\s+([A-Za-z][A-Za-z_-]*)\\s*(?:per\\s+|/\\s*)(\\S+)\\s*");

	private final LlmThrottlers throttlers;

	private final ProviderDefinitions definitions;

	private final ThrottlePolicyFactory factory;

	private final ThrottleEventRecorder recorder;

	/**
	 * @param throttlers the throttlers to change
	 * @param definitions the startup definitions (default output tokens, whether
	 * unlimited), or {@code null}
	 * @param factory the validator of the startup configuration
	 * @param recorder where to record the change, or {@code null}
	 */
	public ProviderLimitsUpdater(LlmThrottlers throttlers, ProviderDefinitions definitions,
			ThrottlePolicyFactory factory, ThrottleEventRecorder recorder) {
		this.throttlers = throttlers;
		this.definitions = definitions;
		this.factory = factory;
		this.recorder = recorder;
	}

	/**
	 * Validates and applies {@code change} to {@code provider}.
	 * @return the policy now in force
	 * @throws dev.llmthrottle.core.UnknownProviderException if no such provider is
	 * configured
	 * @throws InvalidThrottleConfigurationException listing every problem, as at startup;
	 * nothing is changed then
	 */
	// synchronized: a change reads the policy in force and replaces it; two at once must
	// not lose one another
	public synchronized ThrottlePolicy update(String provider, LimitsChange change) {
		ProviderThrottler throttler = this.throttlers.get(provider);
		ThrottlePolicy current = throttler.policy();
		String path = "llm.throttle.providers." + provider;
		if (change.isEmpty()) {
			throw new InvalidThrottleConfigurationException(List.of(new Problem(path,
					"was not changed: give at least one limit (requests-per-minute, tokens-per-minute, "
							+ "input-tokens-per-minute, output-tokens-per-minute, requests-per-day, tokens-per-day, "
							+ "limits) or max-concurrent")));
		}
		ProviderProperties properties = new ProviderProperties();
		List<Problem> problems = new ArrayList<>();
		properties.setRequestsPerMinute(amount(change.requestsPerMinute()));
		properties.setTokensPerMinute(amount(change.tokensPerMinute()));
		properties.setInputTokensPerMinute(amount(change.inputTokensPerMinute()));
		properties.setOutputTokensPerMinute(amount(change.outputTokensPerMinute()));
		properties.setRequestsPerDay(amount(change.requestsPerDay()));
		properties.setTokensPerDay(amount(change.tokensPerDay()));
		List<ProviderProperties.LimitProperties> limits = parse(change.limits(), path + ".limits", problems);
		if (!change.replace()) {
			keepUnchanged(current.limits(), change, limits, properties);
		}
		properties.setLimits(limits);
		// a number given sets a fixed cap; none given keeps what is in force (auto
		// keeps its bound)
		ConcurrencyAmount maxConcurrent = (change.maxConcurrent() != null)
				? ConcurrencyAmount.valueOf(change.maxConcurrent())
				: current.autoConcurrent() ? ConcurrencyAmount.auto(current.maxConcurrent())
						: (current.maxConcurrent() > 0) ? ConcurrencyAmount.valueOf(current.maxConcurrent()) : null;
		properties.setMaxConcurrent(maxConcurrent);
		properties.setMaxWait(current.maxWait());
		properties.setMaxQueue(current.maxQueue());
		properties.setBurst(current.burst());
		properties.setMaxPartitions(current.maxPartitions());
		ProviderDefinition definition = (this.definitions != null) ? this.definitions.find(provider).orElse(null)
				: null;
		if (definition != null) {
			properties.setDefaultOutputTokens(definition.defaultOutputTokens());
			properties.setUnlimited(definition.unlimited());
		}
		if (!problems.isEmpty()) {
			throw new InvalidThrottleConfigurationException(problems);
		}
		LlmThrottleProperties candidate = new LlmThrottleProperties();
		candidate.getProviders().put(provider, properties);
		ThrottlePolicy validated = this.factory.definitions(candidate).get(provider).policy();
		ThrottlePolicy updated = validated.withLimits(inCurrentOrder(current.limits(), validated.limits()))
			.withShapes(keptShapes(current.shapes(), validated.shapes()));
		throttler.apply(updated);
		if (logger.isLoggable(Level.INFO)) {
			logger.log(Level.INFO, "Limits of LLM provider '" + provider + "' changed at runtime to " + updated.limits()
					+ ((updated.maxConcurrent() > 0) ? " with max-concurrent " + updated.maxConcurrent() : ""));
		}
		if (this.recorder != null) {
			this.recorder.limitsChanged(provider, updated.limits(), updated.maxConcurrent());
		}
		return updated;
	}

	/**
	 * The shapes of the updated limits: a limit that existed before (same dimension and
	 * period) keeps its enforcement and burst, a new one is paced.
	 */
	private static List<LimitShape> keptShapes(List<LimitShape> current, List<LimitShape> updated) {
		List<LimitShape> kept = new ArrayList<>(updated.size());
		for (LimitShape shape : updated) {
			LimitShape old = current.stream()
				.filter((candidate) -> candidate.dimension() == shape.dimension()
						&& candidate.period().equals(shape.period()))
				.findFirst()
				.orElse(shape);
			kept.add(old);
		}
		return kept;
	}

	/**
	 * The updated limits, those that existed before in their old places and new ones
	 * after them.
	 */
	private static List<Limit> inCurrentOrder(List<Limit> current, List<Limit> updated) {
		List<Limit> remaining = new ArrayList<>(updated);
		List<Limit> ordered = new ArrayList<>(updated.size());
		for (Limit old : current) {
			for (Limit limit : remaining) {
				if (limit.dimension() == old.dimension() && limit.period().equals(old.period())) {
					ordered.add(limit);
					remaining.remove(limit);
					break;
				}
			}
		}
		ordered.addAll(remaining);
		return ordered;
	}

	/**
	 * Adds the current limits that the change does not mention, after the ones it gives
	 * (so that a problem in a given limit is reported at its own index).
	 */
	private static void keepUnchanged(List<Limit> current, LimitsChange change,
			List<ProviderProperties.LimitProperties> limits, ProviderProperties properties) {
		Set<String> given = new HashSet<>();
		addIfSet(given, properties.getRequestsPerMinute(), Dimension.REQUESTS, Duration.ofMinutes(1));
		addIfSet(given, properties.getTokensPerMinute(), Dimension.TOKENS, Duration.ofMinutes(1));
		addIfSet(given, properties.getInputTokensPerMinute(), Dimension.INPUT_TOKENS, Duration.ofMinutes(1));
		addIfSet(given, properties.getOutputTokensPerMinute(), Dimension.OUTPUT_TOKENS, Duration.ofMinutes(1));
		addIfSet(given, properties.getRequestsPerDay(), Dimension.REQUESTS, Duration.ofDays(1));
		addIfSet(given, properties.getTokensPerDay(), Dimension.TOKENS, Duration.ofDays(1));
		for (ProviderProperties.LimitProperties limit : limits) {
			try {
				given.add(Dimension.of(limit.getDimension()).id() + "/" + limit.getPeriod());
			}
			catch (IllegalArgumentException ex) {
				// reported by the factory
			}
		}
		for (Limit limit : current) {
			if (!given.contains(limit.dimension().id() + "/" + limit.period())) {
				ProviderProperties.LimitProperties kept = new ProviderProperties.LimitProperties();
				kept.setDimension(limit.dimension().id());
				kept.setAmount(limit.amount());
				kept.setPeriod(limit.period());
				limits.add(kept);
			}
		}
	}

	private static LimitAmount amount(Long amount) {
		return (amount != null) ? LimitAmount.valueOf(amount) : null;
	}

	private static void addIfSet(Set<String> given, LimitAmount amount, Dimension dimension, Duration period) {
		if (amount != null) {
			given.add(dimension.id() + "/" + period);
		}
	}

	/**
	 * Parses {@code "10 requests per 1s, 100000 tokens/1m"}; each unparsable item is a
	 * problem.
	 */
	private static List<ProviderProperties.LimitProperties> parse(List<String> items, String path,
			List<Problem> problems) {
		List<ProviderProperties.LimitProperties> limits = new ArrayList<>();
		for (int i = 0; i < items.size(); i++) {
			String item = items.get(i);
			String itemPath = path + "[" + i + "]";
			Matcher matcher = LIMIT.matcher(item);
			if (!matcher.matches()) {
				problems.add(new Problem(itemPath, "must look like '10 requests per 1s' or '100000 tokens/1m' but was '"
						+ SecretRedactor.safeReason(item, 100) + "'"));
				continue;
			}
			ProviderProperties.LimitProperties limit = new ProviderProperties.LimitProperties();
			limit.setDimension(matcher.group(2));
			try {
				limit.setAmount(Long.parseLong(matcher.group(1).replace("_", "")));
			}
			catch (NumberFormatException ex) {
				problems.add(new Problem(itemPath + ".amount", "must be a number of at most " + Long.MAX_VALUE));
				continue;
			}
			try {
				limit.setPeriod(DurationStyle.detectAndParse(matcher.group(3)));
			}
			catch (IllegalArgumentException ex) {
				problems.add(new Problem(itemPath + ".period", "must be a duration such as 1s, 1m or PT1M but was '"
						+ SecretRedactor.safeReason(matcher.group(3), 100) + "'"));
				continue;
			}
			limits.add(limit);
		}
		return limits;
	}

	/**
	 * A change of limits, in the terms of the startup configuration; unset values are
	 * {@code null}.
	 *
	 * @param requestsPerMinute requests per minute
	 * @param tokensPerMinute tokens (input plus output) per minute
	 * @param inputTokensPerMinute input tokens per minute
	 * @param outputTokensPerMinute output tokens per minute
	 * @param requestsPerDay requests per day
	 * @param tokensPerDay tokens per day
	 * @param limits further limits, each like {@code 10 requests per 1s}
	 * @param maxConcurrent calls in flight at once per partition
	 * @param replace whether the limits given replace all current ones; otherwise each
	 * replaces the current limit of the same dimension and period and the others stay
	 */
	public record LimitsChange(Long requestsPerMinute, Long tokensPerMinute, Long inputTokensPerMinute,
			Long outputTokensPerMinute, Long requestsPerDay, Long tokensPerDay, List<String> limits,
			Integer maxConcurrent, boolean replace) {

		public LimitsChange {
			limits = (limits != null) ? List.copyOf(limits) : List.of();
		}

		boolean isEmpty() {
			return this.requestsPerMinute == null && this.tokensPerMinute == null && this.inputTokensPerMinute == null
					&& this.outputTokensPerMinute == null && this.requestsPerDay == null && this.tokensPerDay == null
					&& this.limits.isEmpty() && this.maxConcurrent == null && !this.replace;
		}

	}

}
