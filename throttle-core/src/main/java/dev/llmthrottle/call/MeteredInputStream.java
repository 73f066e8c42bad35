package dev.llmthrottle.call;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import dev.llmthrottle.core.Cost;

/**
 * A success's body as the caller reads it: every byte read passes through a
 * {@link UsageMeter} (nothing is buffered beyond the meter's bounds), and the attempt's
 * {@link Lease} is settled exactly once: when the body ends, when an event stream's final
 * usage event has passed, when reading fails (from what was reported so far) or when the
 * body or its response is closed, whichever comes first. One class for every HTTP client
 * adapter, so that they all settle a call the same way.
 * <p>
 * {@link #close()} closes the body; {@link #closeResponse()} closes the response it
 * belongs to, first reading a body closed unread through the meter up to a bound, so that
 * a caller that only looked at the status still settles from the usage (event streams,
 * which may run for minutes, are given a bound of {@code 0}: not drained).
 */
public final class MeteredInputStream extends FilterInputStream {

	private static final int CHUNK = 8192;

	private final Lease lease;

	private final UsageMeter meter;

	private final long drainBound;

	private final Runnable closeResponse;

	private volatile boolean ended;

	/**
	 * @param body the response's body
	 * @param lease the attempt's lease, settled once by this stream
	 * @param meter the meter for this body
	 * @param drainBound the most bytes of a body closed unread read through the meter on
	 * {@link #closeResponse()} ({@code 0}: no drain)
	 * @param closeResponse closes the response the body belongs to; must not throw
	 */
	public MeteredInputStream(InputStream body, Lease lease, UsageMeter meter, long drainBound,
			Runnable closeResponse) {
		super(body);
		if (drainBound < 0) {
			throw new IllegalArgumentException("drainBound must not be negative: " + drainBound);
		}
		this.lease = lease;
		this.meter = meter;
		this.drainBound = drainBound;
		this.closeResponse = closeResponse;
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n;
		do {
			n = read(one, 0, 1);
		}
		while (n == 0);
		return (n < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n;
		try {
			n = super.read(buffer, offset, length);
		}
		catch (IOException | RuntimeException | Error ex) {
			finish(false);
			throw ex;
		}
		if (n > 0) {
			feed(buffer, offset, n);
		}
		else if (n < 0) {
			this.ended = true;
			finish(true);
		}
		return n;
	}

	@Override
	public long skip(long n) throws IOException {
		// read through the meter, so that a skipped part still counts
		byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(0, n))];
		long skipped = 0;
		while (skipped < n) {
			int read = read(chunk, 0, (int) Math.min(chunk.length, n - skipped));
			if (read < 0) {
				break;
			}
			skipped += read;
		}
		return skipped;
	}

	@Override
	public boolean markSupported() {
		return false;
	}

	@Override
	public void mark(int readlimit) {
		// not supported: a re-read would be metered twice
	}

	@Override
	public void reset() throws IOException {
		throw new IOException("mark/reset not supported");
	}

	@Override
	public void close() throws IOException {
		try {
			super.close();
		}
		finally {
			finish(this.ended);
		}
	}

	/**
	 * Closes the response the body belongs to; never throws. While the lease is open, the
	 * unread rest of the body is first read through the meter, up to the drain bound, so
	 * that the call still settles from its usage; what is past the bound settles from
	 * what was read.
	 */
	public void closeResponse() {
		try {
			if (this.drainBound > 0 && !this.lease.isClosed()) {
				drain();
			}
			this.closeResponse.run();
		}
		finally {
			finish(this.ended);
		}
	}

	private void feed(byte[] buffer, int offset, int n) {
		if (this.lease.isClosed()) {
			return; // settled (a stream's final event is in): the rest need not be parsed
		}
		try {
			this.meter.feed(buffer, offset, n);
			if (this.meter.isComplete()) {
				finish(true); // the last event is in: the call is over even if the body
								// lingers
			}
		}
		catch (RuntimeException ex) {
			finish(false); // a body the meter cannot read settles to the estimate
		}
	}

	private void drain() {
		try {
			byte[] chunk = new byte[CHUNK];
			long left = this.drainBound;
			int n;
			while (left > 0 && !this.lease.isClosed()
					&& (n = read(chunk, 0, (int) Math.min(chunk.length, left))) >= 0) {
				left -= n;
			}
		}
		catch (IOException | RuntimeException ex) {
			// what could be read was metered; the rest settles to the estimate
		}
	}

	private synchronized void finish(boolean complete) {
		if (this.lease.isClosed()) {
			return;
		}
		Cost actual = null;
		try {
			actual = this.meter.finish(complete).orElse(null);
		}
		catch (RuntimeException ex) {
			// a usage that cannot be read settles to the estimate
		}
		this.lease.settled(actual);
	}

}
