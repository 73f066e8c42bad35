package dev.llmthrottle.test.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the response to one request: a complete body, a chunked stream, or a deliberate
 * TCP reset. Used by a single thread (the connection's).
 */
public final class HttpResponder {

	private final Socket socket;

	private final OutputStream out;

	private final boolean keepAlive;

	private boolean committed;

	private boolean open = true;

	HttpResponder(Socket socket, OutputStream out, boolean keepAlive) {
		this.socket = socket;
		this.out = out;
		this.keepAlive = keepAlive;
	}

	/** Whether a response has been started. */
	public boolean committed() {
		return committed;
	}

	/** Whether the connection can serve another request after this response. */
	boolean reusable() {
		return open && keepAlive;
	}

	/** Sends a complete response with a {@code content-length}. */
	public void send(int status, Map<String, String> headers, byte[] body) throws IOException {
		writeHead(status, headers, "content-length: " + body.length);
		out.write(body);
		out.flush();
	}

	/**
	 * Sends the head declaring the full {@code content-length}, then the first half of
	 * the body, then resets the connection (TCP RST): the client sees the response break
	 * off.
	 */
	public void sendPartialThenReset(int status, Map<String, String> headers, byte[] body) throws IOException {
		writeHead(status, headers, "content-length: " + body.length);
		out.write(body, 0, body.length / 2);
		out.flush();
		resetConnection();
	}

	/** Starts a chunked response; write events to the returned stream and finish it. */
	public ChunkedStream stream(int status, Map<String, String> headers) throws IOException {
		writeHead(status, headers, "transfer-encoding: chunked");
		out.flush();
		return new ChunkedStream();
	}

	/** Resets the connection now (TCP RST via SO_LINGER 0), whatever was sent so far. */
	public void resetConnection() throws IOException {
		committed = true;
		open = false;
		try {
			out.flush();
		}
		catch (IOException ignored) {
			// the peer may already be gone; the reset below is what matters
		}
		socket.setSoLinger(true, 0);
		socket.close();
	}

	private void writeHead(int status, Map<String, String> headers, String framing) throws IOException {
		if (committed) {
			throw new IllegalStateException("Response already started");
		}
		committed = true;
		StringBuilder head = new StringBuilder(256);
		head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
		for (Map.Entry<String, String> h : headers.entrySet()) {
			head.append(h.getKey()).append(": ").append(sanitize(h.getValue())).append("\r\n");
		}
		head.append(framing).append("\r\n");
		head.append("connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n\r\n");
		out.write(head.toString().getBytes(StandardCharsets.UTF_8));
	}

	private static String sanitize(String value) {
		return value.replace('\r', ' ').replace('\n', ' ');
	}

	static String reason(int status) {
		switch (status) {
			case 200:
				return "OK";
			case 204:
				return "No Content";
			case 400:
				return "Bad Request";
			case 404:
				return "Not Found";
			case 405:
				return "Method Not Allowed";
			case 413:
				return "Payload Too Large";
			case 429:
				return "Too Many Requests";
			case 500:
				return "Internal Server Error";
			case 502:
				return "Bad Gateway";
			case 503:
				return "Service Unavailable";
			case 504:
				return "Gateway Timeout";
			case 529:
				return "Site Overloaded";
			default:
				return "Status " + status;
		}
	}

	/** The body of a chunked response: each write is one chunk, flushed at once. */
	public final class ChunkedStream {

		private ChunkedStream() {
		}

		/** Writes and flushes one chunk of UTF-8 text. */
		public void write(String text) throws IOException {
			byte[] data = text.getBytes(StandardCharsets.UTF_8);
			if (data.length == 0) {
				return;
			}
			out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.write(data);
			out.write(CRLF);
			out.flush();
		}

		/** Ends the body. */
		public void finish() throws IOException {
			out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}

		/** Resets the connection mid-stream (TCP RST). */
		public void reset() throws IOException {
			resetConnection();
		}

	}

	private static final byte[] CRLF = { '\r', '\n' };

}
