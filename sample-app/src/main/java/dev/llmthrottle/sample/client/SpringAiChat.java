package dev.llmthrottle.sample.client;

import java.util.ArrayList;
import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatOptions;

/**
 * One completion through Spring AI's {@code ChatModel} (the OpenAI model that
 * {@code spring-ai-starter-model-openai} auto-configures, pointed at the provider's base
 * URL), as an application would call it: no annotation, no throttling code.
 */
final class SpringAiChat {

	private final ChatModel model;

	SpringAiChat(ChatModel model) {
		this.model = model;
	}

	Completion complete(ProviderEndpoint endpoint, Prompt prompt) {
		List<Message> messages = new ArrayList<>();
		for (Prompt.Message message : prompt.messages()) {
			messages.add(switch (message.role()) {
				case "system" -> new SystemMessage(message.content());
				case "assistant" -> new AssistantMessage(message.content());
				default -> new UserMessage(message.content());
			});
		}
		OpenAiChatOptions options = OpenAiChatOptions.builder()
			.model(endpoint.model())
			.maxTokens(prompt.maxTokens())
			.build();
		ChatResponse response = this.model.call(new org.springframework.ai.chat.prompt.Prompt(messages, options));
		Usage usage = response.getMetadata().getUsage();
		String text = (response.getResult() != null) ? response.getResult().getOutput().getText() : "";
		return new Completion((text != null) ? text : "", tokens(usage.getPromptTokens()),
				tokens(usage.getCompletionTokens()));
	}

	private static long tokens(Integer count) {
		return (count != null) ? count : 0;
	}

}
