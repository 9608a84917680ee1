import LifeboatCore
import LifeboatStorage

/// One configured repository (`repo<N>-…` options): its index and its driver (already wrapped in
/// `EncryptedStorage` when encrypted).
public struct RepositoryTarget: Sendable {
    public var index: Int
    public var storage: any RepositoryStorage

    public init(index: Int, storage: any RepositoryStorage) {
        self.index = index
        self.storage = storage
    }

    /// "repo2 (posix:/mnt/offsite)": how messages name a repository.
    public var label: String { "repo\(index) (\(storage.displayName))" }
}

extension EngineContext {
    /// Every repository a multi-repository command visits, in index order: all configured ones, or just
    /// the selected one (`--repo N`, or a single repository).
    var targets: [RepositoryTarget] {
        repositories.isEmpty ? [RepositoryTarget(index: repositoryIndex, storage: storage)] : repositories
    }

    /// This context aimed at one repository: single-repository engine code runs unchanged on it.
    func using(_ target: RepositoryTarget) -> EngineContext {
        var copy = self
        copy.storage = target.storage
        copy.repositoryIndex = target.index
        return copy
    }
}

extension LifeboatError {
    /// The same error with the repository named in front.
    func naming(_ target: RepositoryTarget) -> LifeboatError {
        LifeboatError(code, "\(target.label): \(message)", hint: hint)
    }
}

func asLifeboatError(_ error: any Error) -> LifeboatError {
    (error as? LifeboatError) ?? LifeboatError(.internal, "unexpected failure: \(error)")
}
