package dev.llmthrottle.autoconfigure.okhttp;

import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;

import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.MeteredInputStream;
import dev.llmthrottle.call.UsageMeter;

/**
 * A success's body as OkHttp hands it on: the body's bytes pass through a
 * {@link MeteredInputStream}, which meters them and settles the attempt's lease exactly
 * once; this class only gives that stream back the {@link ResponseBody} shape. Closing
 * the body reads a body closed unread through the meter first, up to
 * {@link UsageMeter#MAX_WHOLE} bytes.
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
			this.source = Okio.buffer(Okio.source(this.metered));
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

}
