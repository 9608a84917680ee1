import Synchronization

/// A claim counter shared by the workers of one `Parallel.map`.
private final class NextIndex: Sendable {
    private let value = Atomic<Int>(0)
    func claim() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

enum Parallel {
    /// Applies `body` to every item with at most `workers` concurrent workers. Each worker builds one
    /// workspace (buffers, codec contexts) and reuses it for every item it claims; items are claimed in
    /// order, so callers put the biggest first. Results come back in the items' order. The first error
    /// cancels the other workers and is rethrown.
    static func map<Item: Sendable, Output: Sendable, Workspace>(
        _ items: [Item], workers: Int,
        workspace: @escaping @Sendable () -> Workspace,
        _ body: @escaping @Sendable (Workspace, Item) async throws -> Output
    ) async throws -> [Output] {
        guard !items.isEmpty else { return [] }
        let next = NextIndex()
        return try await withThrowingTaskGroup(of: [(Int, Output)].self) { group in
            for _ in 0..<max(1, min(workers, items.count)) {
                group.addTask {
                    let space = workspace()
                    var done: [(Int, Output)] = []
                    while true {
                        let index = next.claim()
                        guard index < items.count else { break }
                        try Task.checkCancellation()
                        done.append((index, try await body(space, items[index])))
                    }
                    return done
                }
            }
            var results = [Output?](repeating: nil, count: items.count)
            for try await finished in group {
                for (index, output) in finished { results[index] = output }
            }
            return results.map { $0! }
        }
    }
}
