import ArgumentParser
import Foundation
import LifeboatCore

/// Runs one command body: prints its result as text or JSON, and turns any failure into one line on
/// stderr (plus a JSON error object on stdout with --output json) and the exit code of its kind.
enum CommandRunner {
    static func run<Report: Encodable>(
        format: OutputFormat, exitCode: (LifeboatError) -> Int32 = ExitCodes.code(for:),
        _ body: () async throws -> Report, text: (Report) -> String
    ) async throws {
        do {
            let report = try await body()
            switch format {
            case .json: StandardOutput.write(try JSONOutput.encode(report) + "\n")
            case .text:
                let rendered = text(report)
                if !rendered.isEmpty { StandardOutput.write(rendered.hasSuffix("\n") ? rendered : rendered + "\n") }
            }
        } catch let error as LifeboatError {
            try fail(error, format: format, exitCode: exitCode(error))
        } catch let error as ExitCode {
            throw error
        } catch {
            try fail(LifeboatError(.internal, "unexpected failure: \(error)"), format: format, exitCode: 50)
        }
    }

    static func fail(_ error: LifeboatError, format: OutputFormat, exitCode: Int32) throws -> Never {
        StandardError.write("lifeboat: error: \(error.description)\n")
        if format == .json {
            struct Failure: Encodable { let error: String; let code: String; let message: String; let hint: String?; let exitCode: Int32 }
            let failure = Failure(error: error.description, code: error.code.rawValue, message: error.message, hint: error.hint, exitCode: exitCode)
            StandardOutput.write(((try? JSONOutput.encode(failure)) ?? "{}") + "\n")
        }
        throw ExitCode(exitCode)
    }
}

enum JSONOutput {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(TargetTime.display(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
