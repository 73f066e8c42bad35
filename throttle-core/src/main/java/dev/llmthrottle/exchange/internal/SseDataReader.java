package dev.llmthrottle.exchange.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a server-sent-event byte stream, arriving in arbitrary chunks, into the payloads
 * of its {@code data:} lines. Bytes are kept until a line is complete, so neither a line
 * nor a multi-byte character split across chunks is misread. Not thread-safe: one reader
 * per stream, fed in order.
 */
public final class SseDataReader {

	private static final int MAX_LINE = 1 << 20;

	private final Consumer<String> sink;

	private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

	private boolean overlong;

	/**
	 * @param sink receives each {@code data:} payload (without the prefix)
	 */
	public SseDataReader(Consumer<String> sink) {
		this.sink = sink;
	}

	/** Feeds the next chunk. */
	public void feed(byte[] chunk, int offset, int length) {
		for (int i = offset; i < offset + length; i++) {
			byte b = chunk[i];
			if (b == '\n') {
				flushLine();
			}
			else if (b != '\r') {
				if (this.line.size() < MAX_LINE) {
					this.line.write(b);
				}
				else {
					this.overlong = true;
				}
			}
		}
	}

	/** Feeds the next chunk. */
	public void feed(byte[] chunk) {
		feed(chunk, 0, chunk.length);
	}

	/** Ends the stream: a last line without a newline still counts. */
	public void finish() {
		if (this.line.size() > 0) {
			flushLine();
		}
	}

	private void flushLine() {
		if (!this.overlong && this.line.size() >= 5) {
			String text = this.line.toString(StandardCharsets.UTF_8);
			if (text.startsWith("data:")) {
				this.sink.accept(text.substring(5).trim());
			}
		}
		this.line.reset();
		this.overlong = false;
	}

}
