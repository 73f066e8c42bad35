package dev.llmthrottle.test.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server: an acceptor thread and one pooled thread per connection (at most
 * {@code maxConnections}; beyond that new connections are closed at once). Keep-alive
 * connections idle for {@link #IDLE_TIMEOUT_MILLIS} are closed.
 */
public final class MiniHttpServer implements AutoCloseable {

	/**
	 * How long a kept-alive connection may sit idle, and the read timeout for a request.
	 */
	public static final int IDLE_TIMEOUT_MILLIS = 30_000;

	private final ServerSocket serverSocket;

	private final RequestHandler handler;

	private final ThreadPoolExecutor pool;

	private final Thread acceptor;

	private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

	private volatile boolean closed;

	private MiniHttpServer(ServerSocket serverSocket, RequestHandler handler, int maxConnections) {
		this.serverSocket = serverSocket;
		this.handler = handler;
		int port = serverSocket.getLocalPort();
		this.pool = new ThreadPoolExecutor(0, maxConnections, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
				daemonThreads("simulated-provider-" + port + "-"));
		this.acceptor = new Thread(this::acceptLoop, "simulated-provider-" + port + "-acceptor");
		this.acceptor.setDaemon(true);
	}

	/**
	 * Binds to the loopback address and starts serving.
	 * @param port the port, 0 for a free one
	 * @param maxConnections the most connections served at once
	 */
	public static MiniHttpServer start(int port, int maxConnections, RequestHandler handler) throws IOException {
		ServerSocket socket = new ServerSocket();
		try {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
		}
		catch (IOException e) {
			socket.close();
			throw e;
		}
		MiniHttpServer server = new MiniHttpServer(socket, handler, maxConnections);
		server.acceptor.start();
		return server;
	}

	/** The bound port. */
	public int port() {
		return serverSocket.getLocalPort();
	}

	/** The bound host address, e.g. {@code 127.0.0.1}. */
	public String host() {
		return serverSocket.getInetAddress().getHostAddress();
	}

	private void acceptLoop() {
		while (!closed) {
			Socket socket;
			try {
				socket = serverSocket.accept();
			}
			catch (IOException e) {
				if (closed) {
					return;
				}
				continue;
			}
			connections.add(socket);
			try {
				pool.execute(() -> serve(socket));
			}
			catch (RejectedExecutionException e) {
				connections.remove(socket);
				closeQuietly(socket);
			}
		}
	}

	private void serve(Socket socket) {
		try (socket) {
			socket.setTcpNoDelay(true);
			socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
			InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
			OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
			RequestReader reader = new RequestReader(in, out);
			while (!closed) {
				RequestReader.Parsed parsed;
				try {
					parsed = reader.next();
				}
				catch (RequestReader.BadRequestException e) {
					new HttpResponder(socket, out, false).send(400, Map.of("content-type", "text/plain"),
							e.getMessage().getBytes(StandardCharsets.UTF_8));
					return;
				}
				if (parsed == null) {
					return;
				}
				HttpResponder responder = new HttpResponder(socket, out, parsed.keepAlive());
				handler.handle(parsed.request(), responder);
				if (!responder.committed()) {
					responder.send(500, Map.of("content-type", "text/plain"),
							"No response".getBytes(StandardCharsets.UTF_8));
				}
				if (!responder.reusable()) {
					return;
				}
			}
		}
		catch (SocketTimeoutException | SocketException e) {
			// idle keep-alive connection, peer gone, or our own reset: nothing to report
		}
		catch (IOException e) {
			// broken connection: closed by try-with-resources
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt(); // shutting down; the connection is closed
												// below
		}
		finally {
			connections.remove(socket);
		}
	}

	/** Stops accepting, closes every connection and stops the worker threads. */
	@Override
	public void close() {
		closed = true;
		closeQuietly(serverSocket);
		for (Socket socket : connections) {
			closeQuietly(socket);
		}
		pool.shutdownNow();
		try {
			pool.awaitTermination(5, TimeUnit.SECONDS);
			acceptor.join(5_000);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ignored) {
			// closing during shutdown; nothing useful to do with the failure
		}
	}

	private static ThreadFactory daemonThreads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return runnable -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}
