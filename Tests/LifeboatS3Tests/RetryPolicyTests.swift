import Testing
@testable import LifeboatS3

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: 0.1, maxDelay: 2)

    @Test func transientRepliesAreRetried() {
        for status in [500, 502, 503, 504, 429, 408] {
            #expect(policy.isRetryable(status: status, errorCode: nil), "\(status)")
        }
        // Throttling codes count whatever status carries them.
        for code in ["SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "InternalError", "RequestLimitExceeded"] {
            #expect(policy.isRetryable(status: 400, errorCode: code), "\(code)")
        }
    }

    @Test func permanentRepliesAreNot() {
        for status in [400, 401, 403, 404, 405, 409, 411, 412, 416, 501] {
            #expect(!policy.isRetryable(status: status, errorCode: nil), "\(status)")
        }
        #expect(!policy.isRetryable(status: 403, errorCode: "SignatureDoesNotMatch"))
        #expect(!policy.isRetryable(status: 403, errorCode: "AccessDenied"))
        #expect(!policy.isRetryable(status: 404, errorCode: "NoSuchKey"))
        #expect(!policy.isRetryable(status: 412, errorCode: "PreconditionFailed"))
    }

    @Test func backoffDoublesUpToTheCap() {
        #expect(policy.delayCeiling(beforeAttempt: 2) == 0.1)
        #expect(policy.delayCeiling(beforeAttempt: 3) == 0.2)
        #expect(policy.delayCeiling(beforeAttempt: 4) == 0.4)
        #expect(policy.delayCeiling(beforeAttempt: 7) == 2)
        #expect(policy.delayCeiling(beforeAttempt: 500) == 2)
    }

    @Test func jitterStaysWithinZeroAndTheCeiling() {
        for attempt in 2...8 {
            let ceiling = policy.delayCeiling(beforeAttempt: attempt)
            #expect(policy.delay(beforeAttempt: attempt, unit: 0) == 0)
            #expect(policy.delay(beforeAttempt: attempt, unit: 0.5) == ceiling / 2)
            #expect(policy.delay(beforeAttempt: attempt, unit: 0.999_999) <= ceiling)
            #expect(policy.delay(beforeAttempt: attempt, unit: 7) == ceiling)
        }
    }

    @Test func atLeastOneAttempt() {
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }
}
