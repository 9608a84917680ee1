/// Which failures are worth another attempt, and how long to wait before it. Pure, so tests pin it down.
///
/// Retried: 5xx, 429, and S3's throttling codes (which some servers send with a 4xx/503 status), and
/// transport failures (connection reset, refused, timeout). Never retried: other 4xx (a bad signature or
/// a missing key does not heal by waiting), and 412 (a conditional write lost: the caller decides).
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included.
    public var maxAttempts: Int
    /// Delay ceiling before attempt 2; doubled at each later attempt up to `maxDelay`.
    public var baseDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 8, baseDelay: Double = 0.25, maxDelay: Double = 10) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    static let throttlingCodes: Set<String> = [
        "SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequests",
        "RequestLimitExceeded", "ProvisionedThroughputExceededException", "RequestTimeout", "InternalError",
        "ServiceUnavailable",
    ]

    /// Whether a reply with this status (and S3 error code, if the body had one) should be retried.
    public func isRetryable(status: Int, errorCode: String?) -> Bool {
        if let errorCode, Self.throttlingCodes.contains(errorCode) { return true }
        if status == 412 || status == 501 { return false }
        return status >= 500 || status == 429 || status == 408
    }

    /// The upper bound of the wait before `attempt` (2, 3, …): base·2^(attempt-2), capped at `maxDelay`.
    public func delayCeiling(beforeAttempt attempt: Int) -> Double {
        let exponent = max(0, attempt - 2)
        return min(maxDelay, baseDelay * Double(1 << min(exponent, 30)))
    }

    /// "Full jitter" (AWS architecture blog): uniform in [0, ceiling], so clients that failed together
    /// do not retry together. `unit` is a random number in [0, 1).
    public func delay(beforeAttempt attempt: Int, unit: Double) -> Double {
        delayCeiling(beforeAttempt: attempt) * min(max(unit, 0), 1)
    }
}
