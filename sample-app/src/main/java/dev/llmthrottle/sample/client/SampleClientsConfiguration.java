package dev.llmthrottle.sample.client;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.sample.SampleProperties;

/**
 * The {@code OpenAIClient} of {@code sample.client=openai-java}: built as an application
 * builds it, on openai-java's OkHttp client, pointed at the batch's provider, its
 * defaults untouched (no throttling code here: the starter is expected to find the bean).
 */
@Configuration(proxyBeanMethods = false)
public class SampleClientsConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnProperty(name = "sample.client", havingValue = "openai-java")
	OpenAIClient sampleOpenAiClient(ProviderEndpoints endpoints, SampleProperties properties) {
		ProviderEndpoint endpoint = endpoints.get(properties.batch().provider());
		return OpenAIOkHttpClient.builder().baseUrl(endpoint.openAiApiBase()).apiKey(endpoint.apiKey()).build();
	}

}
