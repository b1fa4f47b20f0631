// Conveniences over the generated surface. Hand-written.
import Foundation

/// A client over URLSession: `let inkbox = try makeInkbox(apiKey: key)`.
public func makeInkbox(
    apiKey: String,
    baseUrl: String = "https://inkbox.ai",
    maxRetries: UInt32 = 2,
    timeoutMs: UInt64 = 30_000,
    transport: HttpTransport = URLSessionTransport()
) throws -> Client {
    try Client(apiKey: apiKey, transport: transport, baseUrl: baseUrl, maxRetries: maxRetries, timeoutMs: timeoutMs)
}

/// The client's class methods over URLSession, no API key needed:
/// `let signup = try await makeInkboxStatics().signup(humanEmail: e, noteToHuman: n)`.
public func makeInkboxStatics(
    baseUrl: String = "https://inkbox.ai",
    maxRetries: UInt32 = 2,
    timeoutMs: UInt64 = 30_000,
    transport: HttpTransport = URLSessionTransport()
) throws -> ClientStatics {
    try ClientStatics(transport: transport, baseUrl: baseUrl, maxRetries: maxRetries, timeoutMs: timeoutMs)
}

/// The pages of a pager as an `AsyncSequence`:
/// `for try await page in Pages(try inkbox.messages().list(emailAddress: e).nextPage) { ... }`.
public struct Pages<T>: AsyncSequence {
    public typealias Element = [T]
    private let fetch: () async throws -> [T]?

    public init(_ fetch: @escaping () async throws -> [T]?) {
        self.fetch = fetch
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let fetch: () async throws -> [T]?
        public mutating func next() async throws -> [T]? {
            try await fetch()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(fetch: fetch)
    }
}
