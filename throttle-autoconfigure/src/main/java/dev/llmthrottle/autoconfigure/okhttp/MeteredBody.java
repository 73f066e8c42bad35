package dev.llmthrottle.autoconfigure.okhttp;

import java.io.IOException;

import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.jspecify.annotations.Nullable;

import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.MeteredInputStream;
import dev.llmthrottle.call.UsageMeter;

/**
 * A success's body as OkHttp hands it on: the body's bytes pass through a
 * {@link MeteredInputStream}, which meters them and settles the attempt's lease exactly
 * once; this class only gives that stream back the {@link ResponseBody} shape (its source
 * keeps the underlying source's timeout). Closing the body reads a body closed unread
 * through the meter first, up to {@link UsageMeter#MAX_WHOLE} bytes.
 */
final class MeteredBody extends ResponseBody {

	private final ResponseBody delegate;

	private final MeteredInputStream metered;

	private @Nullable BufferedSource source;

	MeteredBody(ResponseBody delegate, Lease lease, UsageMeter meter) {
		this.delegate = delegate;
		this.metered = new MeteredInputStream(delegate.byteStream(), lease, meter, UsageMeter.MAX_WHOLE,
				delegate::close);
	}

	@Override
	public @Nullable MediaType contentType() {
		return this.delegate.contentType();
	}

	@Override
	public long contentLength() {
		return this.delegate.contentLength();
	}

	@Override
	public synchronized BufferedSource source() {
		if (this.source == null) {
			this.source = Okio.buffer(new MeteredSource());
		}
		return this.source;
	}

	/**
	 * Closes the body; one the caller did not read is read through the meter first (up to
	 * a bound) so that the call settles from its usage.
	 */
	@Override
	public void close() {
		this.metered.closeResponse();
	}

	/** The metered stream as an Okio source, with the underlying source's timeout. */
	private final class MeteredSource implements Source {

		private final byte[] chunk = new byte[8192];

		@Override
		public long read(Buffer sink, long byteCount) throws IOException {
			if (byteCount == 0) {
				return 0;
			}
			int n = MeteredBody.this.metered.read(this.chunk, 0, (int) Math.min(this.chunk.length, byteCount));
			if (n > 0) {
				sink.write(this.chunk, 0, n);
			}
			return n;
		}

		@Override
		public Timeout timeout() {
			return MeteredBody.this.delegate.source().timeout();
		}

		@Override
		public void close() throws IOException {
			MeteredBody.this.metered.close();
		}

	}

}
