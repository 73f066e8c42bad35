package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedisCondition;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A {@code redis-server} of the test's own, on a free loopback port, that the test may
 * pause ({@code SIGSTOP}), resume and kill without touching the shared server.
 */
final class RedisServerProcess implements AutoCloseable {

	private final Process process;

	private final int port;

	private RedisServerProcess(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	static RedisServerProcess start() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		File log = File.createTempFile("redis-test-", ".log");
		log.deleteOnExit();
		Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no")
			.redirectErrorStream(true)
			.redirectOutput(log)
			.start();
		RedisServerProcess server = new RedisServerProcess(process, port);
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> !process.isAlive() || RequiresRedisCondition.answers("127.0.0.1", port));
		if (!process.isAlive()) {
			throw new IllegalStateException("redis-server exited at once; see " + log);
		}
		return server;
	}

	int port() {
		return this.port;
	}

	String uri() {
		return "redis://127.0.0.1:" + this.port;
	}

	/**
	 * Freezes the server: connections stay open, nothing is answered (a hang rather than
	 * a crash).
	 */
	void pause() throws IOException, InterruptedException {
		signal("-STOP");
	}

	void resume() throws IOException, InterruptedException {
		signal("-CONT");
	}

	private void signal(String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", signal, Long.toString(this.process.pid())).inheritIO().start();
		if (kill.waitFor() != 0) {
			throw new IllegalStateException("kill " + signal + " failed");
		}
	}

	@Override
	public void close() throws IOException, InterruptedException {
		if (this.process.isAlive()) {
			signal("-CONT");
			this.process.destroy();
			if (!this.process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
	}

}
