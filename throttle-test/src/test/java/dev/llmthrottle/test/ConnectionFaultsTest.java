package dev.llmthrottle.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.Faults;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Faults that break the connection: a real TCP reset, and a slow first byte. */
class ConnectionFaultsTest {

	@Test
	void aResetConnectionFailsTheClientWithAnIOException() {
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.faults(Faults.none().connectionResets(1))
			.start()) {
			assertThatThrownBy(() -> Http.post(provider.chatUri(), Http.openAiBody("Hello", 40)))
				.isInstanceOf(IOException.class);
			assertThatThrownBy(() -> Http.post(provider.chatUri(),
					"{\"stream\":true,\"max_tokens\":64,"
							+ "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}"))
				.isInstanceOf(IOException.class);
			// the client sees the reset before the server's thread has counted it: wait
			// for the books, then check them exactly
			await().atMost(Duration.ofSeconds(5)).until(() -> provider.stats().completed() >= 2);
			assertThat(provider.stats().faults()).containsEntry("connection-reset", 2L);
			assertThat(provider.stats().completed()).isEqualTo(2);
		}
	}

	@Test
	void theResetIsATcpRstNotAnOrderlyClose() throws Exception {
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.dialect(Dialect.ANTHROPIC)
			.faults(Faults.none().connectionResets(1))
			.start(); Socket socket = new Socket("127.0.0.1", provider.port())) {
			socket.setSoTimeout(5_000);
			byte[] body = Http.anthropicBody("Hello", 400).getBytes(StandardCharsets.UTF_8);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
					+ "content-length: " + body.length + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.write(body);
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[8192];
			assertThatThrownBy(() -> {
				while (in.read(buffer) >= 0) {
					// drain until the reset (an orderly close would end with -1 instead)
				}
			}).isInstanceOf(SocketException.class).hasMessageContaining("reset");
		}
	}

	@Test
	void slowFirstByteDelaysTheResponse() throws Exception {
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.faults(Faults.none().slowFirstByte(Duration.ofMillis(300), 1))
			.start()) {
			long start = System.nanoTime();
			assertThat(Http.post(provider.chatUri(), Http.openAiBody("Hello", 10)).statusCode()).isEqualTo(200);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
			assertThat(provider.stats().faults()).containsEntry("slow-first-byte", 1L);
		}
	}

}
