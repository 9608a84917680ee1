import LifeboatCore

/// Collects bytes privately (the in-memory "temporary file") and publishes them on `commit()`.
struct MemoryWriter: StorageWriter {
    private enum State {
        case writing
        case failed
        case committed
        case aborted
    }

    private let storage: MemoryStorage
    private let path: String
    private let options: WriteOptions
    private var buffer: [UInt8] = []
    private var state = State.writing
    private(set) var bytesWritten: UInt64 = 0

    init(storage: MemoryStorage, path: String, options: WriteOptions) {
        self.storage = storage
        self.path = path
        self.options = options
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) async throws(LifeboatError) {
        try checkWriting("write")
        buffer.append(contentsOf: bytes)
        bytesWritten += UInt64(bytes.count)
    }

    mutating func commit() async throws(LifeboatError) {
        try checkWriting("commit")
        do {
            try storage.publish(path, bytes: buffer, options: options)
            state = .committed
        } catch {
            state = .failed
            buffer = []
            throw error
        }
    }

    mutating func abort() async {
        if state == .writing {
            state = .aborted
            buffer = []
        }
    }

    private func checkWriting(_ operation: String) throws(LifeboatError) {
        let why: String
        switch state {
        case .writing: return
        case .failed: why = "an earlier commit failed"
        case .committed: why = "it is already committed"
        case .aborted: why = "it was aborted"
        }
        throw LifeboatError(.internal, "unable to \(operation) '\(path)': \(why)")
    }
}
