package dev.llmthrottle.autoconfigure;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.springframework.core.env.Environment;

import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException.Problem;
import dev.llmthrottle.autoconfigure.MergedProviderProperties.Setting;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.DurationFormat;
import dev.llmthrottle.core.Enforcement;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.LimitShape;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;

/**
 * Turns {@link LlmThrottleProperties} into validated {@link ProviderDefinition}s (each
 * with its {@link ThrottlePolicy}) and the {@link PartitionKeys}. Every problem in the
 * configuration is collected and reported at once in an
 * {@link InvalidThrottleConfigurationException} naming the full property path, so a bad
 * value fails startup instead of silently removing a limit.
 *
 * <p>
 * Merge rule: a value a provider leaves unset takes the one from
 * {@code llm.throttle.defaults}, then the built-in fallback; a provider's non-empty
 * {@code limits} or {@code base-url} list replaces the default list. Rate keys map to
 * limits: {@code requests-per-minute: 500} is 500 {@code requests} per {@code 1m}, and so
 * on.
 */
public class ThrottlePolicyFactory {

	private static final int MIN_SECRET_BYTES = 16;

	private static final List<RateKey> RATE_KEYS = List.of(
			new RateKey("requests-per-minute", ProviderProperties::getRequestsPerMinute, Dimension.REQUESTS,
					Duration.ofMinutes(1)),
			new RateKey("tokens-per-minute", ProviderProperties::getTokensPerMinute, Dimension.TOKENS,
					Duration.ofMinutes(1)),
			new RateKey("input-tokens-per-minute", ProviderProperties::getInputTokensPerMinute, Dimension.INPUT_TOKENS,
					Duration.ofMinutes(1)),
			new RateKey("output-tokens-per-minute", ProviderProperties::getOutputTokensPerMinute,
					Dimension.OUTPUT_TOKENS, Duration.ofMinutes(1)),
			new RateKey("requests-per-day", ProviderProperties::getRequestsPerDay, Dimension.REQUESTS,
					Duration.ofDays(1)),
			new RateKey("tokens-per-day", ProviderProperties::getTokensPerDay, Dimension.TOKENS, Duration.ofDays(1)));

	private final Environment environment;

	private final ThrottlePropertyNames names;

	/** A factory that validates the bound properties only. */
	public ThrottlePolicyFactory() {
		this(null);
	}

	/**
	 * A factory that also rejects unknown keys under {@code llm.throttle} in
	 * {@code environment} (see {@link ThrottlePropertyNames}), with the other problems.
	 * @param environment the environment the properties were bound from, or {@code null}
	 */
	public ThrottlePolicyFactory(Environment environment) {
		this.environment = environment;
		this.names = (environment != null) ? new ThrottlePropertyNames() : null;
	}

	/**
	 * Validates everything and builds the provider definitions.
	 * @throws InvalidThrottleConfigurationException listing every problem found
	 */
	public ProviderDefinitions definitions(LlmThrottleProperties properties) {
		Set<Problem> problems = environmentProblems();
		List<ProviderDefinition> definitions = resolve(properties, problems);
		throwIfAny(problems);
		return new ProviderDefinitions(definitions);
	}

	/**
	 * Validates everything and builds the partition-key hasher: under the configured
	 * secret, or a random one.
	 * @throws InvalidThrottleConfigurationException listing every problem found
	 */
	public PartitionKeys partitionKeys(LlmThrottleProperties properties) {
		throwIfAny(validate(properties));
		String secret = properties.getPartitionKeySecret();
		return (secret != null) ? new PartitionKeys(secret.getBytes(StandardCharsets.UTF_8))
				: PartitionKeys.withRandomSecret();
	}

	/**
	 * Every problem in {@code properties}, in a stable order; empty when the
	 * configuration is usable.
	 */
	public List<Problem> validate(LlmThrottleProperties properties) {
		Set<Problem> problems = environmentProblems();
		resolve(properties, problems);
		return List.copyOf(problems);
	}

	/**
	 * Unknown keys and an invalid {@code redis.threads}, first, so that typos lead the
	 * list.
	 */
	private Set<Problem> environmentProblems() {
		Set<Problem> problems = new LinkedHashSet<>();
		if (this.names != null) {
			problems.addAll(this.names.check(this.environment));
		}
		return problems;
	}

	private static void throwIfAny(Set<Problem> problems) {
		if (!problems.isEmpty()) {
			throw new InvalidThrottleConfigurationException(List.copyOf(problems));
		}
	}

	private static void throwIfAny(List<Problem> problems) {
		if (!problems.isEmpty()) {
			throw new InvalidThrottleConfigurationException(problems);
		}
	}

	private List<ProviderDefinition> resolve(LlmThrottleProperties properties, Set<Problem> problems) {
		checkSecret(properties.getPartitionKeySecret(), problems);
		// The defaults are checked on their own too, so a bad default is reported even
		// without providers.
		resolve(MergedProviderProperties.defaultsOnly(properties.getDefaults()), problems);
		List<ProviderDefinition> definitions = new ArrayList<>();
		properties.getProviders().forEach((name, provider) -> {
			ProviderDefinition definition = resolve(
					new MergedProviderProperties(name, provider, properties.getDefaults()), problems);
			if (definition != null) {
				definitions.add(definition);
			}
		});
		return definitions;
	}

	private void checkSecret(String secret, Set<Problem> problems) {
		if (secret != null) {
			int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
			if (bytes < MIN_SECRET_BYTES) {
				// Never echo the secret itself.
				problems.add(new Problem(MergedProviderProperties.PREFIX + ".partition-key-secret",
						"must have at least " + MIN_SECRET_BYTES + " bytes but has " + bytes));
			}
		}
	}

	/**
	 * Resolves one provider (or the defaults alone); {@code null} when it has problems.
	 */
	private ProviderDefinition resolve(MergedProviderProperties merged, Set<Problem> allProblems) {
		// A problem of the defaults is found again for each provider; the set keeps one,
		// this list counts it.
		Set<Problem> problems = new LinkedHashSet<>();
		ProviderDefinition definition = resolveOne(merged, problems);
		allProblems.addAll(problems);
		return problems.isEmpty() ? definition : null;
	}

	private ProviderDefinition resolveOne(MergedProviderProperties merged, Set<Problem> problems) {
		boolean isProvider = merged.name() != null;
		List<URI> baseUrls = baseUrls(merged, problems);
		Setting<Integer> maxConcurrent = merged.get("max-concurrent", ProviderProperties::getMaxConcurrent);
		atLeast(maxConcurrent, 1, problems);
		Setting<Duration> maxWait = merged.get("max-wait", ProviderProperties::getMaxWait);
		notNegative(maxWait, problems);
		Setting<Integer> maxQueue = merged.get("max-queue", ProviderProperties::getMaxQueue);
		atLeast(maxQueue, 0, problems);
		Setting<Long> defaultOutputTokens = merged.get("default-output-tokens",
				ProviderProperties::getDefaultOutputTokens);
		atLeast(defaultOutputTokens, 0, problems);
		Setting<Duration> burst = merged.get("burst", ProviderProperties::getBurst);
		notNegative(burst, problems);
		Setting<Integer> maxPartitions = merged.get("max-partitions", ProviderProperties::getMaxPartitions);
		atLeast(maxPartitions, 1, problems);
		Setting<Double> minShare = merged.get("min-share", ProviderProperties::getMinShare);
		if (minShare.isSet() && !(minShare.value() >= 0 && minShare.value() <= ThrottlePolicy.MAX_MIN_SHARE)) {
			problems.add(new Problem(minShare.path(), "must be between 0 and " + ThrottlePolicy.MAX_MIN_SHARE
					+ " (a fraction of the admissions) but was " + minShare.value()));
		}
		Setting<Backend> backend = merged.get("backend", ProviderProperties::getBackend);
		boolean unlimited = Boolean.TRUE.equals(merged.get("unlimited", ProviderProperties::getUnlimited).value());
		Setting<String> enforcementSetting = merged.get("enforcement", ProviderProperties::getEnforcement);
		Enforcement enforcement = enforcement(enforcementSetting, problems);
		List<Limit> autoLimits = new ArrayList<>();
		List<LimitShape> shapes = new ArrayList<>();
		List<Limit> limits = limits(merged, defaultOutputTokens, enforcement, autoLimits, shapes, problems);
		if (isProvider && limits.isEmpty() && !maxConcurrent.isSet() && !unlimited) {
			problems.add(new Problem(merged.path(), "has no limit: set at least one of "
					+ "requests-per-minute, tokens-per-minute, input-tokens-per-minute, output-tokens-per-minute, "
					+ "requests-per-day, tokens-per-day, limits or max-concurrent, or set unlimited to true"));
		}
		RetryPolicy retry = retry(merged, problems);
		if (!isProvider || !problems.isEmpty()) {
			return null;
		}
		ThrottlePolicy policy = new ThrottlePolicy(merged.name(), limits, maxConcurrent.orElse(0),
				maxWait.orElse(ThrottlePolicy.DEFAULT_MAX_WAIT), maxQueue.orElse(ThrottlePolicy.DEFAULT_MAX_QUEUE),
				burst.orElse(Duration.ZERO), maxPartitions.orElse(ThrottlePolicy.DEFAULT_MAX_PARTITIONS), autoLimits,
				minShare.orElse(ThrottlePolicy.DEFAULT_MIN_SHARE), shapes);
		Dialect dialect = merged.get("dialect", ProviderProperties::getDialect).orElse(inferDialect(baseUrls));
		return new ProviderDefinition(merged.name(), baseUrls, dialect, backend.orElse(Backend.MEMORY), policy,
				defaultOutputTokens.orElse(0L), unlimited, retry);
	}

	private static List<URI> baseUrls(MergedProviderProperties merged, Set<Problem> problems) {
		Setting<List<URI>> setting = merged.getList("base-url", ProviderProperties::getBaseUrl);
		List<URI> urls = setting.value();
		for (int i = 0; i < urls.size(); i++) {
			URI url = urls.get(i);
			String path = setting.path() + "[" + i + "]";
			if (url == null) {
				problems.add(new Problem(path, "must be an absolute http or https URL"));
			}
			else if (url.getRawUserInfo() != null) {
				problems.add(new Problem(path, "must not contain user information (credentials)"));
			}
			else if (!url.isAbsolute() || url.getHost() == null || !isHttp(url.getScheme())) {
				problems.add(new Problem(path, "must be an absolute http or https URL but was '" + url + "'"));
			}
		}
		return urls;
	}

	private static boolean isHttp(String scheme) {
		return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
	}

	/** The enforcement set, paced when unset, or paced with a problem when invalid. */
	private static Enforcement enforcement(Setting<String> setting, Set<Problem> problems) {
		if (!setting.isSet()) {
			return Enforcement.PACED;
		}
		try {
			return Enforcement.of(setting.value());
		}
		catch (IllegalArgumentException ex) {
			problems.add(new Problem(setting.path(),
					"must be one of paced, sliding-window, token-bucket or fixed-window but was '" + setting.value()
							+ "'"));
			return Enforcement.PACED;
		}
	}

	private static List<Limit> limits(MergedProviderProperties merged, Setting<Long> defaultOutputTokens,
			Enforcement enforcement, List<Limit> autoLimits, List<LimitShape> shapes, Set<Problem> problems) {
		Map<String, SourcedLimit> limits = new LinkedHashMap<>();
		for (RateKey rateKey : RATE_KEYS) {
			Setting<LimitAmount> setting = merged.get(rateKey.key(), rateKey.getter());
			if (!setting.isSet()) {
				continue;
			}
			if (setting.value().auto()) {
				Limit provisional = Limit.of(rateKey.dimension(),
						provisionalAmount(rateKey.dimension(), rateKey.period()), rateKey.period());
				add(limits, new SourcedLimit(provisional, setting.path(), setting.path(), true, enforcement, null),
						problems);
				continue;
			}
			Setting<Long> amount = new Setting<>(setting.value().amount(), setting.path());
			if (atLeast(amount, 1, problems)) {
				add(limits, new SourcedLimit(Limit.of(rateKey.dimension(), amount.value(), rateKey.period()),
						amount.path(), amount.path(), false, enforcement, null), problems);
			}
		}
		Setting<List<ProviderProperties.LimitProperties>> list = merged.getList("limits",
				ProviderProperties::getLimits);
		for (int i = 0; i < list.value().size(); i++) {
			SourcedLimit limit = limit(list.value().get(i), list.path() + "[" + i + "]", enforcement, problems);
			if (limit != null) {
				add(limits, limit, problems);
			}
		}
		long minimumOutput = (defaultOutputTokens.value() != null) ? defaultOutputTokens.value() : 0;
		List<Limit> result = new ArrayList<>(limits.size());
		for (SourcedLimit sourced : limits.values()) {
			Limit limit = sourced.limit();
			shapes.add(new LimitShape(limit.dimension(), limit.period(), sourced.enforcement(), sourced.burst()));
			if (sourced.auto()) {
				autoLimits.add(limit);
				result.add(limit);
				continue;
			}
			boolean countsOutput = limit.dimension() == Dimension.TOKENS
					|| limit.dimension() == Dimension.OUTPUT_TOKENS;
			if (countsOutput && limit.amount() < minimumOutput) {
				problems.add(new Problem(sourced.amountPath(), "must be at least default-output-tokens ("
						+ minimumOutput + ") but was " + limit.amount() + ", so no call could ever be admitted"));
			}
			result.add(limit);
		}
		return result;
	}

	private static SourcedLimit limit(ProviderProperties.LimitProperties properties, String path,
			Enforcement providerEnforcement, Set<Problem> problems) {
		if (properties == null) {
			problems.add(new Problem(path, "must set dimension, amount and period"));
			return null;
		}
		int before = problems.size();
		Dimension dimension = null;
		if (properties.getDimension() == null || properties.getDimension().isBlank()) {
			problems
				.add(new Problem(path + ".dimension", "must be set (requests, tokens, input-tokens or output-tokens)"));
		}
		else {
			try {
				dimension = Dimension.of(properties.getDimension());
			}
			catch (IllegalArgumentException ex) {
				problems.add(new Problem(path + ".dimension",
						"must be one of requests, tokens, input-tokens or output-tokens but was '"
								+ properties.getDimension() + "'"));
			}
		}
		Setting<Long> amount = new Setting<>(properties.getAmount(), path + ".amount");
		if (!amount.isSet()) {
			problems.add(new Problem(amount.path(), "must be set"));
		}
		else {
			atLeast(amount, 1, problems);
		}
		Duration period = properties.getPeriod();
		if (period == null) {
			problems.add(new Problem(path + ".period", "must be set, for example 1m or 10s"));
		}
		else if (period.isNegative() || period.isZero()) {
			problems.add(new Problem(path + ".period", "must be positive but was " + describe(period)));
		}
		else if (period.compareTo(Limit.MAX_PERIOD) > 0) {
			problems.add(new Problem(path + ".period",
					"must be at most " + describe(Limit.MAX_PERIOD) + " but was " + describe(period)));
		}
		Setting<String> enforcementSetting = new Setting<>(properties.getEnforcement(), path + ".enforcement");
		Enforcement enforcement = enforcementSetting.isSet() ? enforcement(enforcementSetting, problems)
				: providerEnforcement;
		Setting<Duration> burst = new Setting<>(properties.getBurst(), path + ".burst");
		notNegative(burst, problems);
		if (burst.isSet() && enforcement != Enforcement.PACED) {
			problems.add(new Problem(burst.path(), "applies only to a paced limit, but this limit's enforcement is "
					+ enforcement.id() + " (which spends the whole amount at once): remove it"));
		}
		if (problems.size() > before) {
			return null;
		}
		return new SourcedLimit(Limit.of(dimension, amount.value(), period), path, amount.path(), false, enforcement,
				burst.value());
	}

	private static void add(Map<String, SourcedLimit> limits, SourcedLimit limit, Set<Problem> problems) {
		String identity = limit.limit().dimension().id() + "/" + limit.limit().period();
		SourcedLimit existing = limits.putIfAbsent(identity, limit);
		if (existing != null) {
			problems.add(new Problem(limit.path(),
					"duplicates " + existing.path() + " (both limit " + limit.limit().dimension().id() + " per "
							+ describe(limit.limit().period()) + "); keep one of them"));
		}
	}

	private static RetryPolicy retry(MergedProviderProperties merged, Set<Problem> problems) {
		RetryPolicy fallback = RetryPolicy.DEFAULT;
		Setting<Integer> maxAttempts = merged.getRetry("max-attempts", ProviderProperties.Retry::getMaxAttempts);
		atLeast(maxAttempts, 1, problems);
		Setting<Duration> initialBackoff = merged.getRetry("initial-backoff",
				ProviderProperties.Retry::getInitialBackoff);
		notNegative(initialBackoff, problems);
		Setting<Duration> maxBackoff = merged.getRetry("max-backoff", ProviderProperties.Retry::getMaxBackoff);
		notNegative(maxBackoff, problems);
		Setting<Duration> maxRetryAfter = merged.getRetry("max-retry-after",
				ProviderProperties.Retry::getMaxRetryAfter);
		notNegative(maxRetryAfter, problems);
		Setting<Duration> deadline = merged.getRetry("deadline", ProviderProperties.Retry::getDeadline);
		if (deadline.isSet() && (deadline.value().isNegative() || deadline.value().isZero())) {
			problems.add(new Problem(deadline.path(), "must be positive but was " + describe(deadline.value())));
		}
		Duration initial = initialBackoff.orElse(fallback.initialBackoff());
		Duration max = maxBackoff.orElse(fallback.maxBackoff());
		if (!initial.isNegative() && !max.isNegative() && max.compareTo(initial) < 0) {
			problems.add(new Problem(maxBackoff.path(),
					"must be at least retry.initial-backoff (" + describe(initial) + ") but was " + describe(max)));
		}
		boolean badDeadline = deadline.isSet() && (deadline.value().isNegative() || deadline.value().isZero());
		if (maxAttempts.orElse(1) < 1 || initial.isNegative() || max.isNegative()
				|| maxRetryAfter.orElse(Duration.ZERO).isNegative() || badDeadline) {
			return fallback; // the problems are reported; the policy is never used
		}
		return new RetryPolicy(maxAttempts.orElse(fallback.maxAttempts()), initial, max,
				maxRetryAfter.orElse(fallback.maxRetryAfter()), deadline.value());
	}

	/** Checks a set number; an unset one passes. Returns whether it passed. */
	private static boolean atLeast(Setting<? extends Number> setting, long minimum, Set<Problem> problems) {
		if (setting.isSet() && setting.value().longValue() < minimum) {
			problems.add(new Problem(setting.path(), "must be at least " + minimum + " but was " + setting.value()));
			return false;
		}
		return true;
	}

	private static void notNegative(Setting<Duration> setting, Set<Problem> problems) {
		if (setting.isSet() && setting.value().isNegative()) {
			problems.add(new Problem(setting.path(), "must not be negative but was " + describe(setting.value())));
		}
	}

	private static String describe(Duration duration) {
		return duration.isZero() ? "0s" : DurationFormat.format(duration);
	}

	/** The dialect of a well-known API host, else generic. */
	static Dialect inferDialect(List<URI> baseUrls) {
		for (URI url : baseUrls) {
			String host = (url != null && url.getHost() != null) ? url.getHost().toLowerCase(Locale.ROOT) : "";
			if (host.equals("api.openai.com")) {
				return Dialect.OPENAI;
			}
			if (host.endsWith(".openai.azure.com")) {
				return Dialect.AZURE;
			}
			if (host.equals("api.anthropic.com")) {
				return Dialect.ANTHROPIC;
			}
			if (host.equals("generativelanguage.googleapis.com") || host.endsWith("aiplatform.googleapis.com")) {
				return Dialect.GEMINI;
			}
		}
		return Dialect.GENERIC;
	}

	/**
	 * Where an {@code auto} limit starts until the provider's first response states it: a
	 * request a second (paced, so the first wave is gentle) and, for tokens, a figure no
	 * request reaches (the requests pace bounds it).
	 */
	private static long provisionalAmount(Dimension dimension, Duration period) {
		if (dimension == Dimension.REQUESTS) {
			return Math.max(1, period.toSeconds());
		}
		return 1_000_000_000L;
	}

	private record RateKey(String key, Function<ProviderProperties, LimitAmount> getter, Dimension dimension,
			Duration period) {
	}

	/**
	 * A limit and where it was configured ({@code path}: the limit; {@code amountPath}:
	 * its amount), with how it is spent ({@code burst}: its own paced burst, or
	 * {@code null}).
	 */
	private record SourcedLimit(Limit limit, String path, String amountPath, boolean auto, Enforcement enforcement,
			Duration burst) {
	}

}
