package dev.llmthrottle.test.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads HTTP/1.x requests from a connection's input stream. */
final class RequestReader {

	static final int MAX_LINE = 64 * 1024;
	static final int MAX_HEADERS = 200;
	static final int MAX_BODY = 32 * 1024 * 1024;

	/** A request head and whether the connection may be kept alive after it. */
	record Parsed(HttpRequest request, boolean keepAlive) {
	}

	/** Malformed input: the server answers 400 and closes. */
	static final class BadRequestException extends IOException {

		private static final long serialVersionUID = 1L;

		BadRequestException(String message) {
			super(message);
		}

	}

	private final InputStream in;

	private final OutputStream out;

	RequestReader(InputStream in, OutputStream out) {
		this.in = in;
		this.out = out;
	}

	/** The next request, or {@code null} at a clean end of stream between requests. */
	Parsed next() throws IOException {
		String line = readLine();
		while (line != null && line.isEmpty()) {
			line = readLine(); // tolerate stray CRLF between requests
		}
		if (line == null) {
			return null;
		}
		String[] parts = line.split(" ");
		if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
			throw new BadRequestException("Bad request line: " + line);
		}
		Map<String, List<String>> headers = new LinkedHashMap<>();
		for (int i = 0;; i++) {
			String header = readLine();
			if (header == null) {
				throw new BadRequestException("Unexpected end of headers");
			}
			if (header.isEmpty()) {
				break;
			}
			if (i >= MAX_HEADERS) {
				throw new BadRequestException("Too many headers");
			}
			int colon = header.indexOf(':');
			if (colon <= 0) {
				throw new BadRequestException("Bad header line");
			}
			headers.computeIfAbsent(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
				.add(header.substring(colon + 1).trim());
		}
		String target = parts[1];
		int q = target.indexOf('?');
		String path = q < 0 ? target : target.substring(0, q);
		String query = q < 0 ? "" : target.substring(q + 1);
		boolean http10 = parts[2].equals("HTTP/1.0");
		String connection = first(headers, "connection");
		boolean keepAlive = http10 ? connection != null && connection.toLowerCase(Locale.ROOT).contains("keep-alive")
				: connection == null || !connection.toLowerCase(Locale.ROOT).contains("close");

		String expect = first(headers, "expect");
		if (expect != null && expect.equalsIgnoreCase("100-continue")) {
			out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}
		byte[] body = readBody(headers);
		return new Parsed(new HttpRequest(parts[0], path, query, headers, body), keepAlive);
	}

	private byte[] readBody(Map<String, List<String>> headers) throws IOException {
		String transferEncoding = first(headers, "transfer-encoding");
		if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
			return readChunked();
		}
		String contentLength = first(headers, "content-length");
		if (contentLength == null) {
			return new byte[0];
		}
		long length;
		try {
			length = Long.parseLong(contentLength.trim());
		}
		catch (NumberFormatException e) {
			throw new BadRequestException("Bad content-length");
		}
		if (length < 0 || length > MAX_BODY) {
			throw new BadRequestException("Unsupported content-length " + length);
		}
		return readExactly((int) length);
	}

	private byte[] readChunked() throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		while (true) {
			String sizeLine = readLine();
			if (sizeLine == null) {
				throw new BadRequestException("Unexpected end of chunked body");
			}
			int semicolon = sizeLine.indexOf(';');
			String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
			int size;
			try {
				size = Integer.parseInt(hex, 16);
			}
			catch (NumberFormatException e) {
				throw new BadRequestException("Bad chunk size");
			}
			if (size < 0 || body.size() + (long) size > MAX_BODY) {
				throw new BadRequestException("Chunked body too large");
			}
			if (size == 0) {
				String trailer = readLine();
				while (trailer != null && !trailer.isEmpty()) {
					trailer = readLine();
				}
				return body.toByteArray();
			}
			body.write(readExactly(size));
			readLine(); // CRLF after the chunk data
		}
	}

	private byte[] readExactly(int length) throws IOException {
		byte[] data = in.readNBytes(length);
		if (data.length != length) {
			throw new BadRequestException("Body shorter than declared");
		}
		return data;
	}

	/**
	 * A line without its CRLF (or LF), decoded as ISO-8859-1; {@code null} at end of
	 * stream before any byte.
	 */
	private String readLine() throws IOException {
		StringBuilder line = new StringBuilder();
		while (true) {
			int b = in.read();
			if (b < 0) {
				if (line.length() == 0) {
					return null;
				}
				throw new BadRequestException("Unexpected end of line");
			}
			if (b == '\n') {
				int end = line.length();
				if (end > 0 && line.charAt(end - 1) == '\r') {
					line.setLength(end - 1);
				}
				return line.toString();
			}
			if (line.length() >= MAX_LINE) {
				throw new BadRequestException("Line too long");
			}
			line.append((char) b);
		}
	}

	private static String first(Map<String, List<String>> headers, String name) {
		List<String> values = headers.get(name);
		return values == null || values.isEmpty() ? null : values.get(0);
	}

}
