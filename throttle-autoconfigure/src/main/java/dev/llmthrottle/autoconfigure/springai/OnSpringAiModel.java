package dev.llmthrottle.autoconfigure.springai;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Whether Spring AI will create a model of a family, read as Spring AI 2.0 decides it:
 * {@code spring.ai.model.<kind>} names the family or is missing. A family whose every
 * model is switched off ({@code none}, or another family) sends nothing, so the startup
 * report leaves it out rather than warn about a base URL nothing calls.
 */
final class OnSpringAiModel {

	private OnSpringAiModel() {
	}

	/** An OpenAI chat, embedding, image, audio or moderation model is enabled. */
	static final class OpenAi extends AnyNestedCondition {

		OpenAi() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnProperty(name = "spring.ai.model.chat", havingValue = "openai", matchIfMissing = true)
		static final class Chat {

		}

		@ConditionalOnProperty(name = "spring.ai.model.embedding", havingValue = "openai", matchIfMissing = true)
		static final class Embedding {

		}

		@ConditionalOnProperty(name = "spring.ai.model.image", havingValue = "openai", matchIfMissing = true)
		static final class Image {

		}

		@ConditionalOnProperty(name = "spring.ai.model.audio.speech", havingValue = "openai", matchIfMissing = true)
		static final class Speech {

		}

		@ConditionalOnProperty(name = "spring.ai.model.audio.transcription", havingValue = "openai",
				matchIfMissing = true)
		static final class Transcription {

		}

		@ConditionalOnProperty(name = "spring.ai.model.moderation", havingValue = "openai", matchIfMissing = true)
		static final class Moderation {

		}

	}

	/** The Anthropic chat model is enabled. */
	static final class Anthropic extends AnyNestedCondition {

		Anthropic() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnProperty(name = "spring.ai.model.chat", havingValue = "anthropic", matchIfMissing = true)
		static final class Chat {

		}

	}

}
