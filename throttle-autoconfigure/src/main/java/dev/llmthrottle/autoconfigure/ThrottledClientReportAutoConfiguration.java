package dev.llmthrottle.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Bean;

import dev.llmthrottle.exchange.LlmProviders;

/**
 * Logs the {@link ThrottledClientReport} once the singletons are created: which clients
 * (the {@link ThrottledClient} beans the adapters contribute) each provider covers, and a
 * warning for a client whose base URL no provider covers.
 */
@AutoConfiguration(afterName = "dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration")
@ConditionalOnBean(LlmProviders.class)
public final class ThrottledClientReportAutoConfiguration {

	@Bean
	ThrottledClientReport llmThrottleClientReport(LlmProviders providers, ObjectProvider<ThrottledClient> clients) {
		return new ThrottledClientReport(providers, clients.orderedStream().toList());
	}

	@Bean
	SmartInitializingSingleton llmThrottleClientReportLogger(ObjectProvider<ThrottledClientReport> report) {
		return () -> report.ifAvailable(ThrottledClientReport::log);
	}

}
