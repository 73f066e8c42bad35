package dev.llmthrottle.autoconfigure.aop;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.util.ClassUtils;

import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.protocol.Dialect;

/**
 * Warns once per provider, at startup, when {@code @LlmThrottled} methods retry calls to
 * a provider and the context holds a client bean of an official SDK that speaks to such
 * providers, that llm-throttle does not wrap, and whose own retries are on: if those
 * methods call the SDK, its retries (two by default, not throttled) multiply the
 * advisor's attempts. A client bean the SDK adapter wrapped (its retries are off, the
 * provider's policy owns them) or built with {@code maxRetries(0)} is never named. The
 * SDKs are found by class name, so neither is a dependency.
 *
 * <p>
 * What cannot be told from here: which provider an unwrapped client points at (the SDK's
 * dialect family is used instead), SDK clients built inside methods rather than declared
 * as beans, and whether the annotated methods call the SDK at all.
 */
final class SdkRetryWarning implements SmartInitializingSingleton {

	private static final System.Logger logger = System.getLogger(SdkRetryWarning.class.getName());

	/**
	 * The official SDKs: their client types, the dialects they speak, and how to turn
	 * their retries off.
	 */
	static final List<Sdk> OFFICIAL_SDKS = List.of(
			new Sdk("openai-java", List.of("com.openai.client.OpenAIClient", "com.openai.client.OpenAIClientAsync"),
					(dialect) -> dialect != Dialect.ANTHROPIC, "OpenAIOkHttpClient.builder().maxRetries(0)"),
			new Sdk("anthropic-java",
					List.of("com.anthropic.client.AnthropicClient", "com.anthropic.client.AnthropicClientAsync"),
					(dialect) -> dialect == Dialect.ANTHROPIC || dialect == Dialect.GENERIC,
					"AnthropicOkHttpClient.builder().maxRetries(0)"));

	private final ListableBeanFactory beanFactory;

	private final Supplier<Set<String>> throttledProviders;

	private final Supplier<LlmProviders> providers;

	private final List<Sdk> sdks;

	private final Predicate<Object> wrapped;

	private final Function<Object, OptionalInt> maxRetries;

	/**
	 * @param wrapped whether a client bean runs through llm-throttle's SDK adapter
	 * @param maxRetries a client's own retries, empty when unknown
	 */
	SdkRetryWarning(ListableBeanFactory beanFactory, Supplier<Set<String>> throttledProviders,
			Supplier<LlmProviders> providers, Predicate<Object> wrapped, Function<Object, OptionalInt> maxRetries) {
		this(beanFactory, throttledProviders, providers, OFFICIAL_SDKS, wrapped, maxRetries);
	}

	SdkRetryWarning(ListableBeanFactory beanFactory, Supplier<Set<String>> throttledProviders,
			Supplier<LlmProviders> providers, List<Sdk> sdks, Predicate<Object> wrapped,
			Function<Object, OptionalInt> maxRetries) {
		this.beanFactory = beanFactory;
		this.throttledProviders = throttledProviders;
		this.providers = providers;
		this.sdks = List.copyOf(sdks);
		this.wrapped = wrapped;
		this.maxRetries = maxRetries;
	}

	@Override
	public void afterSingletonsInstantiated() {
		LlmProviders all = this.providers.get();
		if (all == null) {
			return; // without the exchange beans the advisor retries nothing
		}
		Map<Sdk, List<String>> clients = clientBeans();
		if (clients.isEmpty()) {
			return;
		}
		for (String name : new TreeSet<>(this.throttledProviders.get())) {
			all.byName(name)
				.filter((provider) -> provider.retry().allowsAnotherAttempt(1))
				.ifPresent((provider) -> warn(provider, clients));
		}
	}

	private Map<Sdk, List<String>> clientBeans() {
		ClassLoader classLoader = (this.beanFactory instanceof ConfigurableBeanFactory configurable)
				? configurable.getBeanClassLoader() : ClassUtils.getDefaultClassLoader();
		Map<Sdk, List<String>> clients = new LinkedHashMap<>();
		for (Sdk sdk : this.sdks) {
			List<String> beans = new ArrayList<>();
			for (String type : sdk.clientTypes()) {
				if (ClassUtils.isPresent(type, classLoader)) {
					Class<?> clientType = ClassUtils.resolveClassName(type, classLoader);
					this.beanFactory.getBeansOfType(clientType, true, false).forEach((name, client) -> {
						if (retriesOn(client) && !beans.contains(name)) {
							beans.add(name);
						}
					});
				}
			}
			if (!beans.isEmpty()) {
				clients.put(sdk, beans);
			}
		}
		return clients;
	}

	/**
	 * Whether a client's own retries can multiply the advisor's: not when llm-throttle
	 * wraps it (its retries are off), not with {@code maxRetries(0)}; yes when unknown.
	 */
	private boolean retriesOn(Object client) {
		if (this.wrapped.test(client)) {
			return false;
		}
		OptionalInt retries = this.maxRetries.apply(client);
		return retries.isEmpty() || retries.getAsInt() > 0;
	}

	private void warn(LlmProvider provider, Map<Sdk, List<String>> clients) {
		List<String> found = new ArrayList<>();
		List<String> advice = new ArrayList<>();
		clients.forEach((sdk, beans) -> {
			if (sdk.speaks().test(provider.dialect())) {
				found.add(sdk.name() + " " + beans);
				advice.add(sdk.advice());
			}
		});
		if (found.isEmpty() || !logger.isLoggable(Level.WARNING)) {
			return;
		}
		logger.log(Level.WARNING, "Provider '" + provider.name()
				+ "' is used by @LlmThrottled methods, which retry failed calls (up to "
				+ provider.retry().maxAttempts() + " attempts), and the context holds SDK client beans: "
				+ String.join(", ", found) + ". If those methods call the SDK, its own retries multiply the attempts"
				+ " and are not throttled: set the SDK's maxRetries(0) (" + String.join(", ", advice)
				+ "), let llm-throttle wrap the client (a base URL a configured provider covers), or set llm.throttle.providers."
				+ provider.name() + ".retry.max-attempts=1 to leave retries to the SDK.");
	}

	/**
	 * An SDK as far as this check knows it.
	 *
	 * @param name the SDK's name, for the message
	 * @param clientTypes the client interfaces, by class name
	 * @param speaks which provider dialects its clients may be talking to
	 * @param advice how to build a client without retries
	 */
	record Sdk(String name, List<String> clientTypes, Predicate<Dialect> speaks, String advice) {
	}

}
