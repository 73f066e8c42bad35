package dev.llmthrottle.bench.accuracy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

/**
 * The official openai-java SDK on its own, as many applications use it today: one shared
 * client with its default retry (2 retries, honouring {@code retry-after-ms} /
 * {@code retry-after}, else exponential backoff with jitter), called from the harness's
 * fixed pool of caller threads. No rate control of its own.
 */
final class OpenAiSdkClient implements BatchClient {

	private final OpenAIClient client;

	OpenAiSdkClient(String baseUrl) {
		this.client = OpenAIOkHttpClient.builder().baseUrl(baseUrl + "/v1").apiKey("sk-bench-not-a-key").build();
	}

	@Override
	public Outcome send(Call call) throws InterruptedException {
		ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
			.model(Call.MODEL)
			.maxCompletionTokens(call.maxTokens())
			.addUserMessage(call.prompt())
			.build();
		try {
			this.client.chat().completions().create(params);
			return Outcome.OK;
		}
		catch (OpenAIException ex) {
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedException("stopped");
			}
			return Outcome.failed(ex);
		}
	}

	@Override
	public void close() {
		this.client.close();
	}

}
