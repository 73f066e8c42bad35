package dev.llmthrottle.sample.client;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.CompletionUsage;

/**
 * One completion through openai-java's {@code OpenAIClient} bean, as an application would
 * call it: no annotation, no throttling code.
 */
final class OpenAiJavaChat {

	private final OpenAIClient client;

	OpenAiJavaChat(OpenAIClient client) {
		this.client = client;
	}

	Completion complete(ProviderEndpoint endpoint, Prompt prompt) {
		ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
			.model(endpoint.model())
			.maxTokens(prompt.maxTokens());
		for (Prompt.Message message : prompt.messages()) {
			switch (message.role()) {
				case "system" -> params.addSystemMessage(message.content());
				case "assistant" -> params.addAssistantMessage(message.content());
				default -> params.addUserMessage(message.content());
			}
		}
		ChatCompletion completion = this.client.chat().completions().create(params.build());
		String text = completion.choices().isEmpty() ? "" : completion.choices().get(0).message().content().orElse("");
		long input = completion.usage().map(CompletionUsage::promptTokens).orElse(0L);
		long output = completion.usage().map(CompletionUsage::completionTokens).orElse(0L);
		return new Completion(text, input, output);
	}

}
