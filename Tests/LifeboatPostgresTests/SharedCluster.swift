import LifeboatTestSupport
import Testing

/// The suites that share one PostgreSQL cluster nest in this one (as extensions in their own files):
/// the cluster is created before the first of their tests and destroyed after the last (initdb and
/// start-up cost seconds; the tests themselves milliseconds).
@Suite(.sharedCluster) struct RealCluster {}

/// The cluster of the `.sharedCluster` scope the current test runs in.
enum SharedCluster {
    @TaskLocal static var current: TestCluster?

    static func get() throws -> TestCluster {
        try #require(current, "the suite needs the .sharedCluster trait")
    }
}

struct SharedClusterTrait: SuiteTrait, TestScoping {
    /// Not recursive: one cluster around the suite, not one per test.
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await TestCluster.with { cluster in
            try await SharedCluster.$current.withValue(cluster) { try await function() }
        }
    }
}

extension Trait where Self == SharedClusterTrait {
    static var sharedCluster: Self { Self() }
}
