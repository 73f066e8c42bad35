package dev.llmthrottle.autoconfigure.redis;

import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.llmthrottle.autoconfigure.Backend;
import dev.llmthrottle.autoconfigure.ProviderProperties;

/**
 * Matches when some provider's {@code backend} is {@code redis}, set on the provider or
 * inherited from {@code llm.throttle.defaults.backend}.
 */
class OnRedisBackendCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Binder binder = Binder.get(context.getEnvironment());
		Backend fallback = binder.bind("llm.throttle.defaults.backend", Backend.class).orElse(Backend.MEMORY);
		Map<String, ProviderProperties> providers = binder
			.bind("llm.throttle.providers", Bindable.mapOf(String.class, ProviderProperties.class))
			.orElse(Map.of());
		for (Map.Entry<String, ProviderProperties> provider : providers.entrySet()) {
			Backend backend = (provider.getValue().getBackend() != null) ? provider.getValue().getBackend() : fallback;
			if (backend == Backend.REDIS) {
				return ConditionOutcome.match("provider '" + provider.getKey() + "' has backend redis");
			}
		}
		return ConditionOutcome.noMatch("no provider has backend redis");
	}

}
