package dev.llmthrottle.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration of the LLM throttles, bound from {@code llm.throttle.*}: one entry per
 * provider plus defaults that every provider inherits. Plain values only;
 * {@link ThrottlePolicyFactory} validates them and turns them into
 * {@link ProviderDefinition}s.
 */
@ConfigurationProperties("llm.throttle")
public class LlmThrottleProperties {

	/**
	 * Whether to throttle LLM calls. When false, no throttler, advisor or filter is
	 * created.
	 */
	private boolean enabled = true;

	/**
	 * Secret of the keyed hash applied to partition keys (API keys, tenant ids) before
	 * they are stored or shown; at least 16 bytes. Instances that share a quota must
	 * share it. When unset, a random secret is drawn per JVM.
	 */
	private String partitionKeySecret;

	/**
	 * Settings merged into every provider. A value a provider sets itself wins; a
	 * provider's non-empty list of limits or base URLs replaces the default list.
	 */
	@NestedConfigurationProperty
	private final ProviderProperties defaults = new ProviderProperties();

	/**
	 * Providers by name (for example openai, anthropic, azure-eastus): base URLs,
	 * dialect, limits and bounds on waiting. The name is what
	 * {@code @LlmThrottled(provider = ...)} refers to.
	 */
	private final Map<String, ProviderProperties> providers = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPartitionKeySecret() {
		return this.partitionKeySecret;
	}

	public void setPartitionKeySecret(String partitionKeySecret) {
		this.partitionKeySecret = partitionKeySecret;
	}

	public ProviderProperties getDefaults() {
		return this.defaults;
	}

	public Map<String, ProviderProperties> getProviders() {
		return this.providers;
	}

}
