package dev.llmthrottle.exchange.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SseDataReaderTest {

	private static final String STREAM = "event: message_start\n"
			+ "data: {\"type\":\"message_start\",\"text\":\"héllo → wörld\"}\n\n" + ": keep-alive\r\n"
			+ "data: {\"n\":2}\r\n\r\n" + "data: [DONE]";

	@Test
	void readsDataLinesWhateverTheChunking() {
		byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
		for (long seed = 0; seed < 200; seed++) {
			Random random = new Random(seed);
			List<String> payloads = new ArrayList<>();
			SseDataReader reader = new SseDataReader(payloads::add);
			int offset = 0;
			while (offset < bytes.length) {
				int length = Math.min(bytes.length - offset, 1 + random.nextInt(7));
				reader.feed(bytes, offset, length);
				offset += length;
			}
			reader.finish();
			assertThat(payloads).as("seed %d", seed)
				.containsExactly("{\"type\":\"message_start\",\"text\":\"héllo → wörld\"}", "{\"n\":2}", "[DONE]");
		}
	}

}
