package dev.llmthrottle.test.engine;

/**
 * An unseen client sharing the quota: it sends {@code share * amount} per period to every
 * limit, in 100 even steps per period, taking only what fits (its own excess is refused
 * like anyone's). Steps are replayed lazily at their own clock readings before each
 * decision, so the meters see them in time order. Its charges reach the meters (and so
 * the headers) but not the ledger.
 */
final class NoisyNeighbour {

	static final int STEPS_PER_PERIOD = 100;

	private final double share;

	private final long epoch;

	private final long[] lastStep;

	private final double[] carry;

	NoisyNeighbour(double share, long epoch, int meters) {
		this.share = share;
		this.epoch = epoch;
		this.lastStep = new long[meters];
		this.carry = new double[meters];
	}

	void advance(Meter[] meters, long now) {
		if (share <= 0) {
			return;
		}
		for (int i = 0; i < meters.length; i++) {
			Meter meter = meters[i];
			long step = Math.max(1, meter.limit().periodNanos() / STEPS_PER_PERIOD);
			long current = Math.floorDiv(now - epoch, step);
			long from = Math.max(lastStep[i] + 1, current - STEPS_PER_PERIOD + 1);
			double perStep = share * meter.limit().amount() / STEPS_PER_PERIOD;
			for (long k = from; k <= current; k++) {
				long at = epoch + k * step;
				carry[i] += perStep;
				long whole = (long) Math.floor(carry[i]);
				if (whole > 0) {
					carry[i] -= whole;
					long take = Math.min(whole, Math.max(0, meter.available(at)));
					if (take > 0) {
						meter.charge(take, at);
					}
				}
			}
			lastStep[i] = Math.max(lastStep[i], current);
		}
	}

}
