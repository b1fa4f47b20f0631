// XCTest mirror of ffi-uniffi/kotlin/src/test (vectors, conversions, the
// emulator, the surface and vault tests; not the Kotlin-only cancellation test). NOT compiled or run on machines without a Swift toolchain:
// swift-ci.sh runs it where one exists. Written against the generated
// signatures of Sources/InkboxCore/InkboxCore.swift.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import InkboxCore

private let repo = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

private func vectors(_ name: String) throws -> [String: Any] {
    let dir = ProcessInfo.processInfo.environment["INKBOX_VECTORS_DIR"].map { URL(fileURLWithPath: $0) }
        ?? repo.appendingPathComponent("tests/vectors")
    let data = try Data(contentsOf: dir.appendingPathComponent(name))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}

/// A fresh emulator on 127.0.0.1, stopped by `stop()`.
final class Emulator {
    let process = Process()
    let url: String
    let adminKey: String
    let orgId: String

    init() throws {
        let env = ProcessInfo.processInfo.environment
        let target = env["CARGO_TARGET_DIR"] ?? repo.appendingPathComponent("target").path
        let bin = env["INKBOX_EMULATOR_BIN"] ?? "\(target)/debug/inkbox-emulator"
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["--port", "0", "--host", "127.0.0.1"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0a]) { break }
            line.append(byte)
        }
        let hello = try JSONSerialization.jsonObject(with: line) as! [String: Any]
        url = hello["url"] as! String
        adminKey = hello["admin_api_key"] as! String
        orgId = hello["organization_id"] as! String
    }

    /// A control-plane POST (`/_emulator/...`) with a JSON body.
    func control(_ path: String, _ json: String) async throws {
        var r = URLRequest(url: URL(string: url + path)!)
        r.httpMethod = "POST"
        r.addValue(adminKey, forHTTPHeaderField: "X-API-Key")
        r.addValue("application/json", forHTTPHeaderField: "Content-Type")
        r.httpBody = json.data(using: .utf8)
        _ = try await URLSession.shared.data(for: r)
    }

    func fault(_ json: String) async throws {
        try await control("/_emulator/faults", json)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

final class CountingTransport: HttpTransport, @unchecked Sendable {
    let inner = URLSessionTransport()
    var sends = 0
    var sleeps: [UInt64] = []
    func send(request: HttpRequest, timeoutMs: UInt64) async throws -> HttpResponse {
        sends += 1
        return try await inner.send(request: request, timeoutMs: timeoutMs)
    }
    func sleep(ms: UInt64) async throws {
        sleeps.append(ms)
        try await inner.sleep(ms: ms)
    }
}

final class FakeTransport: HttpTransport, @unchecked Sendable {
    let status: UInt16
    let body: String
    init(_ status: UInt16, _ body: String) { self.status = status; self.body = body }
    func send(request: HttpRequest, timeoutMs: UInt64) async throws -> HttpResponse {
        HttpResponse(status: status, headers: [HttpHeader(name: "Content-Type", value: "application/json")], body: body.data(using: .utf8)!)
    }
    func sleep(ms: UInt64) async throws {}
}

final class VectorsTests: XCTestCase {
    func testWebhookCases() throws {
        let v = try vectors("webhook.json")
        for case let c as [String: Any] in v["cases"] as! [Any] {
            let body = Data(base64Encoded: c["body_b64"] as! String)!
            let headers = (c["headers"] as! [[String]]).map { HttpHeader(name: $0[0], value: $0[1]) }
            let secret = c["secret"] as! String
            if secret.replacingOccurrences(of: "whsec_", with: "").isEmpty {
                XCTAssertThrowsError(try verifyWebhookCompat(payload: body, headers: headers, secret: secret))
                continue
            }
            XCTAssertEqual(try verifyWebhookCompat(payload: body, headers: headers, secret: secret), c["expected"] as! Bool, c["name"] as! String)
        }
    }

    func testWebhookStrictReasons() throws {
        let payload = Data("{\"event_type\":\"message.received\"}".utf8)
        let now = unixNow()
        let signed = try signWebhook(payload: payload, secret: "whsec_abc", requestId: "req-1", timestamp: String(now))
        XCTAssertNil(try verifyWebhook(payload: payload, headers: signed, secrets: ["whsec_old", "whsec_abc"]))
        XCTAssertEqual(try verifyWebhook(payload: payload, headers: signed, secrets: ["whsec_other"]), "webhook.signature_mismatch")
        XCTAssertThrowsError(try verifyWebhook(payload: payload, headers: signed, secrets: [""])) { e in
            XCTAssertEqual((e as? InkboxError)?.className, "InkboxWebhookError")
        }
    }

    func testTotpGenerateAndUris() throws {
        let v = try vectors("totp.json")
        for case let c as [String: Any] in (v["rfc6238"] as! [Any]) + (v["generate"] as! [Any]) {
            let cfg = c["config"] as! [String: Any]
            let config = try TotpConfig(secret: cfg["secret"] as! String, algorithm: cfg["algorithm"] as! String,
                                        digits: UInt32(cfg["digits"] as! Int), period: UInt32(cfg["period"] as! Int))
            let time = UInt64((c["time"] as! NSNumber).doubleValue)
            let want = c["expected"] as! [String: Any]
            XCTAssertEqual(try config.generate(nowUnix: time).code, want["code"] as! String, c["name"] as! String)
        }
        for case let c as [String: Any] in v["uri_valid"] as! [Any] {
            let want = c["expected"] as! [String: Any]
            XCTAssertEqual(try TotpConfig.fromUri(uri: c["uri"] as! String).secret(), want["secret"] as! String)
        }
        for case let c as [String: Any] in v["uri_invalid"] as! [Any] {
            XCTAssertThrowsError(try TotpConfig.fromUri(uri: c["uri"] as! String)) { e in
                XCTAssertTrue((e as? InkboxError)?.code.hasPrefix("totp.") ?? false)
            }
        }
    }

    func testVaultUnwrapAndDecrypt() async throws {
        let v = try vectors("vault.json")
        let primary = v["primary_key"] as! [String: Any]
        let master = try await deriveMasterKey(secret: primary["vault_key"] as! String, organizationId: primary["organization_id"] as! String)
        XCTAssertEqual(master.authHash(), primary["auth_hash"] as! String)
        let org = try unwrapOrgKey(masterKey: master, vaultKeyId: primary["vault_key_id"] as! String, wrappedB64: primary["wrapped_org_key_b64"] as! String)
        for case let p as [String: Any] in v["payloads"] as! [Any] {
            let text = try org.decryptPayload(secretId: p["secret_id"] as! String, encryptedB64: p["encrypted_payload_b64"] as! String)
            let got = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! NSDictionary
            XCTAssertEqual(got, p["expected_parsed"] as! NSDictionary, p["name"] as! String)
        }
    }
}

final class ConversionsTests: XCTestCase {
    func testDecodeErrorAndTypedModels() async throws {
        let body = "{\"id\": \"5f0c1f8e-2a55-4b8e-9a51-0b1f4c3a7e10\", \"organization_id\": \"org_x\", \"agent_handle\": \"kt\", \"imessage_filter_mode\": \"future\", \"created_at\": \"2026-06-10T12:39:00Z\", \"updated_at\": \"2026-06-10T12:39:00Z\"}"
        let client = try makeInkbox(apiKey: "k", baseUrl: "http://127.0.0.1:9", transport: FakeTransport(200, body))
        let id = try await client.identities().get(agentHandle: "kt")
        XCTAssertEqual(id.agentHandle, "kt")
        XCTAssertEqual(id.imessageFilterMode, .unknown("future"))
        let bad = try makeInkbox(apiKey: "k", baseUrl: "http://127.0.0.1:9", transport: FakeTransport(200, "{not json"))
        do {
            _ = try await bad.identities().get(agentHandle: "kt")
            XCTFail("expected a decode error")
        } catch let e as InkboxError {
            XCTAssertEqual(e.code, "api.decode")
        }
    }
}

final class EmulatorTests: XCTestCase {
    func testErrorsRetriesAndMail() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let t = CountingTransport()
        let client = try makeInkbox(apiKey: emu.adminKey, baseUrl: emu.url, transport: t)
        do {
            _ = try await client.identities().get(agentHandle: "no-such-agent")
            XCTFail("expected a 404")
        } catch let e as InkboxError {
            XCTAssertEqual(e.code, "api.not_found")
            XCTAssertEqual(e.statusCode, 404)
        }
        try await emu.fault("{\"count\": 1, \"status\": 429, \"retry_after\": 1, \"path_prefix\": \"/api/v1/identities\"}")
        t.sends = 0
        _ = try await client.identities().list()
        XCTAssertEqual(t.sends, 2)
        XCTAssertGreaterThanOrEqual(t.sleeps.last ?? 0, 1000)

        let agent = try await client.identities().create(agentHandle: "swift-agent")
        let peer = try await client.identities().create(agentHandle: "swift-peer")
        _ = try await client.messages().send(emailAddress: peer.emailAddress!, to: [agent.emailAddress!], subject: "Hello", bodyText: "Hi")
        var subjects: [String] = []
        for try await page in Pages(try client.messages().list(emailAddress: agent.emailAddress!, pageSize: 1).nextPage) {
            subjects += page.compactMap { $0.subject }
        }
        XCTAssertEqual(subjects, ["Hello"])
    }
}

/// Mirrors SurfaceTest.kt and VaultTest.kt (not compiled here).
final class SurfaceTests: XCTestCase {
    private func code(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let e as InkboxError {
            return e.code
        } catch {
            return "\(error)"
        }
    }

    func testCreatedApiKeyHidesItsSecret() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try makeInkbox(apiKey: emu.adminKey, baseUrl: emu.url)
        let agent = try await client.identities().create(agentHandle: "swift-keyed")
        let created = try await client.apiKeys().create(label: "swift label", scopedIdentityId: agent.id)
        let secret = created.apiKey()
        XCTAssertTrue(secret.hasPrefix("ApiKey_"))
        XCTAssertEqual(created.record().scopedIdentityId, agent.id)
        XCTAssertEqual(created.record().last4, String(secret.suffix(4)))
        XCTAssertEqual(created.debugDescription, "CreatedApiKey(<redacted>)")
        let unscoped = await code { _ = try await client.apiKeys().create(label: "unscoped") }
        XCTAssertEqual(unscoped, "api.forbidden")
    }

    func testTextsToOneOrSeveral() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try makeInkbox(apiKey: emu.adminKey, baseUrl: emu.url)
        let agent = client.identity(data: try await client.identities().create(agentHandle: "swift-texter", phoneNumber: "{}"))
        let number = agent.data().phoneNumber!
        let alice = "+15555550111", bob = "+15555550122"
        for from in [alice, bob] {
            try await emu.control("/_emulator/texts/inbound", "{\"to\": \"\(number.number)\", \"from\": \"\(from)\", \"text\": \"START\"}")
        }
        let one = try await client.texts().send(phoneNumberId: number.id, to: .one(alice), text: "hello Alice")
        XCTAssertEqual(one.remotePhoneNumber, alice)
        let group = try await agent.sendText(to: .many([alice, bob]), text: "hello both")
        XCTAssertNil(group.remotePhoneNumber)
        XCTAssertEqual(Set(group.recipients?.map { $0.recipientPhoneNumber } ?? []), [alice, bob])
        let neither = await code { _ = try await agent.sendText(text: "to nobody") }
        XCTAssertEqual(neither, "api.validation")
    }

    func testIMessageMediaUploadAndJsonNull() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try makeInkbox(apiKey: emu.adminKey, baseUrl: emu.url)
        let agent = client.identity(data: try await client.identities().create(agentHandle: "swift-imsg", imessageEnabled: true))
        let png = Data([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff])
        let up = try await agent.uploadImessageMedia(content: png, filename: "chart.png", contentType: "image/png")
        XCTAssertEqual(up.size, UInt64(png.count))
        let (served, _) = try await URLSession.shared.data(from: URL(string: up.mediaUrl)!)
        XCTAssertEqual(served, png)
        _ = try await client.identities().create(agentHandle: "swift-patch", description: "\"to be cleared\"")
        let cleared = try await client.identities().update(agentHandle: "swift-patch", description: "null")
        XCTAssertNil(cleared.description)
    }

    func testVaultSurface() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try makeInkbox(apiKey: emu.adminKey, baseUrl: emu.url)
        let vaults = client.vault()
        let none = try await vaults.info()
        XCTAssertNil(none)
        let init_ = try await vaults.initialize(vaultKey: "Swift-Vault-Key-1!")
        let vault = try await vaults.unlock(vaultKey: "Swift-Vault-Key-1!")
        let login = try await vault.createSecret(name: "Login", payloadJson: "{\"username\": \"a@example.com\", \"password\": \"pw-one-long\"}", description: "old")
        XCTAssertEqual(vault.secretsOfType(secretType: .login).map { $0.id() }, [login.id])
        let creds = vault.secret(secretId: login.id)?.login()
        XCTAssertEqual(creds?.password(), "pw-one-long")
        XCTAssertEqual(creds?.debugDescription, "LoginCredentials(<redacted>)")
        XCTAssertNil(vault.secret(secretId: login.id)?.apiKey())
        let cleared = try await vault.updateSecret(secretId: login.id, name: "Login 2", clearDescription: true)
        XCTAssertEqual(cleared.name, "Login 2")
        XCTAssertNil(cleared.description)
        let uri = "otpauth://totp/Example:agent?secret=JBSWY3DPEHPK3PXP&issuer=Example"
        _ = try await vault.setTotp(secretId: login.id, totpUri: uri)
        let now = unixNow()
        let totp = try await vault.getTotpCode(secretId: login.id, nowUnix: now)
        XCTAssertEqual(totp.code, try TotpConfig.fromUri(uri: uri).generate(nowUnix: now).code)
        _ = try await vault.removeTotp(secretId: login.id)
        let noTotp = await code { _ = try await vault.getTotpCode(secretId: login.id) }
        XCTAssertEqual(noTotp, "vault.no_totp")
        _ = try await vaults.updateKey(newKey: "Swift-Vault-Key-2!", recoveryCode: init_.recoveryCodes()[0])
        let reopened = try await vaults.unlock(vaultKey: "Swift-Vault-Key-2!")
        XCTAssertEqual(reopened.secret(secretId: login.id)?.name(), "Login 2")
        try await vault.deleteSecret(secretId: login.id)
        XCTAssertNil(vault.secret(secretId: login.id))
        let left = try await vaults.listSecrets()
        XCTAssertTrue(left.isEmpty)
    }
}
