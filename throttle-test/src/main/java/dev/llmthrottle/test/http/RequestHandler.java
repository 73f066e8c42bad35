package dev.llmthrottle.test.http;

import java.io.IOException;

/** Answers one request through the given responder; called on the connection's thread. */
@FunctionalInterface
public interface RequestHandler {

	/**
	 * Handles a request. If it returns without responding, the server answers 500.
	 * @throws IOException when the connection fails; the server closes it
	 * @throws InterruptedException when the server is shutting down; the server closes
	 * the connection
	 */
	void handle(HttpRequest request, HttpResponder responder) throws IOException, InterruptedException;

}
