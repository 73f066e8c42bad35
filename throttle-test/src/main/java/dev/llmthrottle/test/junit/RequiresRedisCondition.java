package dev.llmthrottle.test.junit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The condition behind {@link RequiresRedis}: a raw {@code PING} to the shared test
 * server.
 */
public final class RequiresRedisCondition implements ExecutionCondition {

	/** The shared test server's host. */
	public static final String HOST = "127.0.0.1";

	/** The shared test server's port. */
	public static final int PORT = 6379;

	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		if (answers(HOST, PORT)) {
			return ConditionEvaluationResult.enabled("Redis answers on " + HOST + ":" + PORT);
		}
		String message = "no Redis answers on " + HOST + ":" + PORT + " (start one with: redis-server --port " + PORT
				+ " --bind 127.0.0.1 --save '' --appendonly no)";
		if ("true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new IllegalStateException("CI=true but " + message + "; .ci/run should have started it");
		}
		return ConditionEvaluationResult.disabled("Skipped: " + message);
	}

	/** Whether a Redis server answers a {@code PING} on {@code host:port}. */
	public static boolean answers(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 500);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[7];
			int read = in.readNBytes(reply, 0, 7);
			return new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

}
