// The default Swift transport: URLSession, one exchange per send (core
// decides the retries; redirects are not followed). Hand-written.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

private final class NoRedirects: NSObject, URLSessionTaskDelegate {
    func urlSession(_ session: URLSession, task: URLSessionTask,
                    willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest,
                    completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

public final class URLSessionTransport: HttpTransport, @unchecked Sendable {
    private let session: URLSession

    public init(configuration: URLSessionConfiguration = .ephemeral) {
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }

    public func send(request: HttpRequest, timeoutMs: UInt64) async throws -> HttpResponse {
        guard let url = URL(string: request.url()) else {
            throw TransportError.Other(detail: "not a URL")
        }
        var r = URLRequest(url: url)
        r.httpMethod = request.method()
        r.timeoutInterval = Double(timeoutMs) / 1000.0
        for h in request.headers() {
            r.addValue(h.value, forHTTPHeaderField: h.name)
        }
        r.httpBody = request.body()
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: r)
        } catch let e as URLError {
            // Only the error's code goes into the message: its text may quote the URL.
            switch e.code {
            case .timedOut:
                throw TransportError.Timeout(detail: "no response in time (\(e.code.rawValue))")
            case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
                throw TransportError.Connect(detail: "could not connect (\(e.code.rawValue))")
            case .networkConnectionLost:
                throw TransportError.Interrupted(detail: "the exchange broke off (\(e.code.rawValue))")
            default:
                throw TransportError.Other(detail: "the request failed (\(e.code.rawValue))")
            }
        } catch {
            throw TransportError.Other(detail: "the request failed")
        }
        guard let http = response as? HTTPURLResponse else {
            throw TransportError.Other(detail: "not an HTTP response")
        }
        var headers: [HttpHeader] = []
        for (name, value) in http.allHeaderFields {
            headers.append(HttpHeader(name: "\(name)", value: "\(value)"))
        }
        return HttpResponse(status: UInt16(http.statusCode), headers: headers, body: data)
    }

    public func sleep(ms: UInt64) async throws {
        try await Task.sleep(nanoseconds: ms * 1_000_000)
    }
}
