package dev.llmthrottle.sample.batch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.Resource;

import dev.llmthrottle.sample.client.Prompt;

/**
 * Reads prompts from a JSONL resource (one JSON object per line, blank lines ignored).
 */
final class PromptDataset {

	private PromptDataset() {
	}

	/**
	 * The first {@code count} prompts of the resource. When it has fewer, it is cycled
	 * and the repeats get ids suffixed {@code #2}, {@code #3}, ... so that every id in
	 * the results stays unique.
	 */
	static List<Prompt> load(Resource resource, int count, JsonMapper json) throws IOException {
		List<Prompt> all = new ArrayList<>();
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			int number = 0;
			while ((line = reader.readLine()) != null) {
				number++;
				if (!line.isBlank()) {
					try {
						all.add(json.readValue(line, Prompt.class));
					}
					catch (RuntimeException ex) {
						throw new IOException(resource.getDescription() + " line " + number + ": " + ex.getMessage(),
								ex);
					}
				}
			}
		}
		if (all.isEmpty()) {
			throw new IOException(resource.getDescription() + " holds no prompt");
		}
		List<Prompt> prompts = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			Prompt prompt = all.get(i % all.size());
			int round = i / all.size();
			prompts.add((round == 0) ? prompt : prompt.withId(prompt.id() + "#" + (round + 1)));
		}
		return prompts;
	}

}
