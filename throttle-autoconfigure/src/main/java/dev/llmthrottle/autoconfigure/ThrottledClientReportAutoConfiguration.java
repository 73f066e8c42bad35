package dev.llmthrottle.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Bean;

import dev.llmthrottle.exchange.LlmProviders;

/**
 * Logs the {@link ThrottledClientReport} once the singletons are created: which clients
 * (the {@link ThrottledClient} beans the adapters contribute, and the clients their
 * {@link ThrottledClients} beans found as the context started) each provider covers, and
 * a warning for a client whose base URL no provider covers.
 */
@AutoConfiguration(afterName = "dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration")
@ConditionalOnBean(LlmProviders.class)
public final class ThrottledClientReportAutoConfiguration {

	@Bean
	ThrottledClientReport llmThrottleClientReport(LlmProviders providers, ObjectProvider<ThrottledClient> clients,
			ObjectProvider<ThrottledClients> found) {
		List<ThrottledClient> declared = clients.orderedStream().toList();
		return new ThrottledClientReport(providers, () -> {
			List<ThrottledClient> all = new ArrayList<>(declared);
			found.orderedStream().forEach((source) -> all.addAll(source.clients()));
			return all;
		});
	}

	@Bean
	SmartInitializingSingleton llmThrottleClientReportLogger(ObjectProvider<ThrottledClientReport> report) {
		return () -> report.ifAvailable(ThrottledClientReport::log);
	}

}
